package io.cairn.spi.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of writes that a {@link Backend} applies atomically. Built by the caller, then
 * passed to {@link Backend#write}; it can be written once or many times, to any backend.
 *
 * <p>Ownership: the arrays given to {@link #put} and the others are kept by reference, not copied;
 * the caller must not modify them until the last {@code write} of this batch has returned.
 *
 * <p>Threading: not thread-safe; confine a batch to one thread while it is built.
 */
public final class WriteBatch {

    /** One write. Backends apply them in list order. */
    public sealed interface Operation permits Put, Delete, DeleteRange {
        String keyspace();
    }

    /** Stores {@code value} under {@code key}, replacing any previous value. */
    public record Put(String keyspace, byte[] key, byte[] value) implements Operation {}

    /** Removes {@code key}; nothing happens if it is absent. */
    public record Delete(String keyspace, byte[] key) implements Operation {}

    /** Removes every key in {@code [start, end)}; {@code null} bounds are open, as in {@link ReadView#scan}. */
    public record DeleteRange(String keyspace, byte[] start, byte[] end) implements Operation {}

    private final List<Operation> operations = new ArrayList<>();
    private long approximateBytes;

    public WriteBatch put(String keyspace, byte[] key, byte[] value) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(value, "value is null");
        operations.add(new Put(keyspace, key, value));
        approximateBytes += key.length + value.length;
        return this;
    }

    public WriteBatch delete(String keyspace, byte[] key) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Objects.requireNonNull(key, "key is null");
        operations.add(new Delete(keyspace, key));
        approximateBytes += key.length;
        return this;
    }

    public WriteBatch deleteRange(String keyspace, byte[] start, byte[] end) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        operations.add(new DeleteRange(keyspace, start, end));
        approximateBytes += (start == null ? 0 : start.length) + (end == null ? 0 : end.length);
        return this;
    }

    /** The operations in the order they were added; a read-only view. */
    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    public int size() {
        return operations.size();
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    /** The sum of key and value lengths, for batching and quota decisions. */
    public long approximateBytes() {
        return approximateBytes;
    }

    public void clear() {
        operations.clear();
        approximateBytes = 0;
    }
}
