package io.cairn.storage.xodus;

import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jetbrains.exodus.ExodusException;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.Transaction;

/**
 * A {@link ReadSnapshot} on one Xodus read-only transaction, which sees the environment as of its start (MVCC).
 *
 * <p>Reads hold {@link #lock} shared and {@link #close} holds it exclusively, so a close (by the caller or by the
 * backend closing) never aborts the transaction under a read.
 */
final class XodusSnapshot implements ReadSnapshot {

    private final XodusBackend backend;
    private final Transaction txn;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Written only under the exclusive lock. */
    private boolean closed;

    XodusSnapshot(XodusBackend backend, Transaction txn) {
        this.backend = backend;
        this.txn = txn;
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
        Lock shared = enter();
        try {
            Store store = backend.store(keyspace);
            Objects.requireNonNull(key, "key is null");
            return StoreReads.get(store, txn, key);
        } catch (ExodusException e) {
            throw XodusFailures.of("snapshot get from keyspace '" + keyspace + "' in " + backend.location(), e);
        } finally {
            shared.unlock();
        }
    }

    @Override
    public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        Lock shared = enter();
        try {
            Store store = backend.store(keyspace);
            XodusBackend.checkScan(order, limit, visitor);
            return StoreReads.scan(store, txn, start, end, order, limit, visitor);
        } catch (ExodusException e) {
            throw XodusFailures.of("snapshot scan of keyspace '" + keyspace + "' in " + backend.location(), e);
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void close() {
        if (closeTransaction()) {
            backend.forget(this);
        }
    }

    /** Called by the backend while it closes; it forgets its snapshots itself. */
    void closeBecauseBackendCloses() {
        closeTransaction();
    }

    private boolean closeTransaction() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            if (!txn.isFinished()) {
                txn.abort();
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Lock enter() {
        Lock shared = lock.readLock();
        shared.lock();
        if (closed) {
            shared.unlock();
            throw new StorageException(StorageException.Reason.CLOSED, "this snapshot of " + backend.location()
                    + (backend.isClosed() ? " was closed with its backend" : " is closed"));
        }
        return shared;
    }
}
