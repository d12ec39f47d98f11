package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.StorageException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Guards native handles against use after close. Every call holds the read side for its whole
 * duration; close takes the write side, so it waits for calls in progress and no call can start
 * on a freed handle afterwards (a JVM crash is the alternative).
 *
 * <p>The read side is reentrant, so a scan visitor may call back into the same object. A close
 * from inside such a call would wait for itself forever; it is refused instead.
 */
final class Lifecycle {

    private final String subject;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Set once, under the write lock; read under the read lock. */
    private boolean closed;

    Lifecycle(String subject) {
        this.subject = subject;
    }

    /** Starts a call; throws {@code CLOSED} if closed. Pair with {@link #exit()} in a finally block. */
    void enter() {
        if (!tryEnter()) {
            throw new StorageException(StorageException.Reason.CLOSED, subject + " is closed");
        }
    }

    /** Starts a call if still open; returns whether it did (then pair with {@link #exit()}). */
    boolean tryEnter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            return false;
        }
        return true;
    }

    void exit() {
        lock.readLock().unlock();
    }

    /**
     * Waits for the calls in progress and marks the object closed. Returns {@code false} (and
     * holds nothing) if it was closed already; otherwise the caller releases its resources and
     * then calls {@link #endClose()}.
     *
     * @throws IllegalStateException if this thread is inside a call on the same object
     */
    boolean beginClose() {
        checkNotInsideCall();
        lock.writeLock().lock();
        if (closed) {
            lock.writeLock().unlock();
            return false;
        }
        closed = true;
        return true;
    }

    /** @throws IllegalStateException if this thread is inside a call on the guarded object */
    void checkNotInsideCall() {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close " + subject
                    + " from inside one of its own calls (a scan visitor?): it would wait for itself");
        }
    }

    void endClose() {
        lock.writeLock().unlock();
    }

    String subject() {
        return subject;
    }
}
