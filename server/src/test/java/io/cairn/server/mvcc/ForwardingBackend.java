package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.nio.file.Path;
import java.util.Set;

/** A backend that forwards every call to another; tests override what they observe or break. */
class ForwardingBackend implements Backend {

    private final Backend delegate;

    ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    /** The wrapped backend. */
    Backend delegate() {
        return delegate;
    }

    @Override
    public void write(WriteBatch batch, Durability durability) {
        delegate.write(batch, durability);
    }

    @Override
    public Path directory() {
        return delegate.directory();
    }

    @Override
    public Set<String> keyspaces() {
        return delegate.keyspaces();
    }

    @Override
    public ReadSnapshot snapshot() {
        return delegate.snapshot();
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void checkpoint(Path target) {
        delegate.checkpoint(target);
    }

    @Override
    public BackendStats stats() {
        return delegate.stats();
    }

    @Override
    public void compact() {
        delegate.compact();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
        return delegate.get(keyspace, key);
    }

    @Override
    public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        return delegate.scan(keyspace, start, end, order, limit, visitor);
    }
}
