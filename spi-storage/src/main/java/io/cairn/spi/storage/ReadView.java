package io.cairn.spi.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads of one consistent or latest state of a {@link Backend}: point gets and bounded scans in
 * unsigned-lexicographic key order.
 *
 * <p>Keys: any byte array, including the empty key and keys of 0xFF bytes; compared as unsigned
 * bytes, lexicographically (a proper prefix sorts first). Ranges are half-open {@code [start, end)};
 * a {@code null} start means "from the smallest key", a {@code null} end means "to the end of the
 * keyspace". A range whose start is not below its end is empty.
 *
 * <p>Ownership: argument arrays are only read during the call and never retained; returned arrays
 * are fresh and belong to the caller.
 *
 * <p>Threading: implementations are safe for concurrent use by many threads.
 *
 * <p>Failure: {@link StorageException} ({@link StorageException.Reason#CLOSED} once the view or its
 * backend is closed; {@link StorageException.Reason#IO} or {@link StorageException.Reason#CORRUPTED}
 * if the underlying store fails). {@link IllegalArgumentException} for a keyspace that the backend
 * was not opened with, or a negative limit; {@link NullPointerException} for a null keyspace, key or
 * visitor.
 */
public interface ReadView {

    /** The value stored under {@code key}, or {@code null} if there is none. */
    byte[] get(String keyspace, byte[] key);

    /**
     * Visits the entries of {@code [start, end)} in {@code order}, at most {@code limit} of them
     * ({@code 0} means no limit), until the visitor returns {@code false}.
     *
     * @return the number of entries passed to the visitor, including the one on which it returned
     *     {@code false}
     */
    int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor);

    /** The entries of {@code [start, end)} in {@code order}, at most {@code limit} ({@code 0}: all). */
    default List<KeyValuePair> scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit) {
        List<KeyValuePair> entries = new ArrayList<>();
        scan(keyspace, start, end, order, limit, (key, value) -> entries.add(new KeyValuePair(key, value)));
        return entries;
    }
}
