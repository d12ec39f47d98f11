package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import java.util.Objects;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.Snapshot;

/**
 * A RocksDB snapshot with the read options that point at it. Reads hold the backend's lifecycle
 * and then this one's (always in that order), so neither the database nor the snapshot can be
 * freed under a read.
 */
final class RocksDbSnapshot implements ReadSnapshot {

    private final RocksDbBackend backend;
    private final RocksDB db;
    private final Snapshot snapshot;
    /** Shared by point reads; RocksDB only reads it. Scans make their own, for their bounds. */
    private final ReadOptions pointReads;
    private final Lifecycle lifecycle;

    RocksDbSnapshot(RocksDbBackend backend, RocksDB db, Snapshot snapshot) {
        this.backend = backend;
        this.db = db;
        this.snapshot = snapshot;
        this.pointReads = new ReadOptions().setSnapshot(snapshot);
        this.lifecycle = new Lifecycle("snapshot of " + backend.lifecycle().subject());
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Objects.requireNonNull(key, "key is null");
        enter();
        try {
            return backend.get(pointReads, keyspace, key);
        } finally {
            exit();
        }
    }

    @Override
    public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        RocksDbBackend.checkScanArguments(keyspace, order, limit, visitor);
        enter();
        try {
            return backend.scan(snapshot, keyspace, start, end, order, limit, visitor);
        } finally {
            exit();
        }
    }

    private void enter() {
        backend.lifecycle().enter();
        try {
            lifecycle.enter();
        } catch (RuntimeException e) {
            backend.lifecycle().exit();
            throw e;
        }
    }

    private void exit() {
        lifecycle.exit();
        backend.lifecycle().exit();
    }

    @Override
    public void close() {
        lifecycle.checkNotInsideCall();
        if (!backend.lifecycle().tryEnter()) {
            return; // the backend is closed, and closed this snapshot with it
        }
        try {
            if (lifecycle.beginClose()) {
                try {
                    release();
                    backend.forget(this);
                } finally {
                    lifecycle.endClose();
                }
            }
        } finally {
            backend.lifecycle().exit();
        }
    }

    /** Called by the backend's close, which holds the backend exclusively, so no read is running. */
    void closeWithBackend() {
        if (lifecycle.beginClose()) {
            try {
                release();
            } finally {
                lifecycle.endClose();
            }
        }
    }

    private void release() {
        pointReads.close();
        db.releaseSnapshot(snapshot);
        snapshot.close();
    }
}
