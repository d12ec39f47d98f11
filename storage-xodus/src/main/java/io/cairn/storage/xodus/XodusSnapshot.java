package io.cairn.storage.xodus;

import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jetbrains.exodus.ExodusException;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.Transaction;

/**
 * A {@link ReadSnapshot} on Xodus read-only transactions, which see the environment as of their start (MVCC).
 *
 * <p>A Xodus transaction must not be read by two threads at once: it caches its stores' trees, and the trees keep
 * reading state (a shared transaction failed under concurrent scans with garbage lengths and "Unexpected loggable
 * type"). So each read borrows a transaction of its own from {@link #idle}: the one the snapshot began with, or a
 * clone of it ({@code Transaction.getReadonlySnapshot()}, same database version), and gives it back afterwards.
 *
 * <p>Reads hold {@link #lock} shared and {@link #close} holds it exclusively, so at close every transaction is idle
 * and none is aborted under a read.
 */
final class XodusSnapshot implements ReadSnapshot {

    private final XodusBackend backend;
    /** The transaction the snapshot began with; it fixes the version that every clone reads. */
    private final Transaction origin;
    /** Transactions of this snapshot not in use by a read (the origin among them); at most one per concurrent read. */
    private final Queue<Transaction> idle = new ConcurrentLinkedQueue<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Written only under the exclusive lock. */
    private boolean closed;

    XodusSnapshot(XodusBackend backend, Transaction origin) {
        this.backend = backend;
        this.origin = origin;
        idle.add(origin);
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
        Lock shared = enter();
        try {
            Store store = backend.store(keyspace);
            Objects.requireNonNull(key, "key is null");
            Transaction txn = borrow();
            try {
                return StoreReads.get(store, txn, key);
            } finally {
                idle.add(txn);
            }
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
            Transaction txn = borrow();
            try {
                return StoreReads.scan(store, txn, start, end, order, limit, visitor);
            } finally {
                idle.add(txn);
            }
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
            for (Transaction txn = idle.poll(); txn != null; txn = idle.poll()) {
                if (!txn.isFinished()) {
                    txn.abort();
                }
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** An idle transaction of this snapshot, or a new clone of the origin if every one is in use. */
    private Transaction borrow() {
        Transaction txn = idle.poll();
        return txn != null ? txn : origin.getReadonlySnapshot();
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
