package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A fair distributed readers-writer lock on a {@link Session}'s lease, as etcd's
 * {@code recipes/v3.RWMutex}: each acquisition creates a key {@code <name>/read/<unique>} or
 * {@code <name>/write/<unique>}; a reader waits until no writer key older than its own exists, a writer
 * until no key at all older than its own exists. So readers share, writers exclude everyone, and a
 * waiting writer holds back readers that arrive after it (no writer starvation).
 * {@snippet :
 * ReadWriteLock lock = new ReadWriteLock(session, "catalog");
 * ReadWriteLock.Hold read = lock.readLock();
 * try { render(catalog) } finally { read.unlock(); }
 * }
 *
 * <p>Guarantees and limits are {@link Mutex}'s: keys live on the session's lease, ownership is checked
 * after waiting, and {@link Hold#fencingToken()} (the key's create revision) lets a resource refuse a
 * writer that lost its lease while paused. The layout is not etcd's lock layout, so it does not exclude
 * {@code etcdctl lock} holders.
 *
 * <p>Threading: thread-safe; each acquisition is its own {@link Hold}, so threads of one session may
 * hold read locks together, but a writer of the same session waits for them like any other.
 */
public final class ReadWriteLock {

    private final Session session;
    private final String name;

    /** A handle on the lock {@code name} for {@code session}'s holder. */
    public ReadWriteLock(Session session, String name) {
        this.session = Objects.requireNonNull(session, "session");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Blocks until a shared (read) hold is granted. */
    public Hold readLock() throws InterruptedException {
        return acquire(false, Waits.FOREVER);
    }

    /** Blocks until the exclusive (write) hold is granted. */
    public Hold writeLock() throws InterruptedException {
        return acquire(true, Waits.FOREVER);
    }

    /** Waits at most {@code timeout} for the write hold; null if not granted in time. */
    public Hold tryWriteLock(Duration timeout) throws InterruptedException {
        return acquire(true, Waits.deadline(timeout));
    }

    /** Waits at most {@code timeout} for a read hold; null if not granted in time. */
    public Hold tryReadLock(Duration timeout) throws InterruptedException {
        return acquire(false, Waits.deadline(timeout));
    }

    private Hold acquire(boolean write, long deadline) throws InterruptedException {
        Bytes all = Keys.prefix(name);
        Bytes key = Keys.unique(Keys.prefix(name + (write ? "/write" : "/read")));
        TxnResponse created = Waits.joinUninterruptibly(session.cairn().kv().txn(TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, Bytes.EMPTY).withLease(session.leaseId()))));
        if (!created.succeeded()) {
            throw new IllegalStateException("a random lock key collided: " + key);
        }
        long own = created.header().revision();
        Hold hold = new Hold(key, own);
        boolean granted = false;
        try {
            RangeRequest blockers = RangeRequest.prefix(write ? all : Keys.prefix(name + "/write"));
            Waits.waitDeletes(session.cairn(), blockers, own - 1, deadline);
            RangeResponse ownNow = Waits.join(session.cairn().kv().get(key), deadline);
            if (ownNow.kvs().isEmpty() || ownNow.kvs().get(0).createRevision() != own) {
                throw new CairnException(StatusCode.UNKNOWN, Mutex.SESSION_EXPIRED);
            }
            granted = true;
            return hold;
        } catch (TimeoutException expired) {
            return null;
        } finally {
            if (!granted) {
                hold.unlock();
            }
        }
    }

    /** One granted acquisition. */
    public final class Hold {
        private final Bytes key;
        private final long token;

        private Hold(Bytes key, long token) {
            this.key = key;
            this.token = token;
        }

        /** The key's create revision: higher for every later acquisition of this lock. */
        public long fencingToken() {
            return token;
        }

        /** The guard "this hold is still current" for a transaction. */
        public Compare isOwner() {
            return Compare.createRevision(key, Compare.Result.EQUAL, token);
        }

        /** Releases this hold; idempotent; not interruptible. */
        public void unlock() {
            Waits.joinUninterruptibly(session.cairn().kv().deleteRange(DeleteRangeRequest.of(key)));
        }
    }
}
