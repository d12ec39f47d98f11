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
 * A fair distributed mutual-exclusion lock held by a {@link Session}'s lease, with etcd's
 * {@code clientv3/concurrency.Mutex} key layout ({@code <name>/<lease id in hex>}), so it excludes and is
 * excluded by {@code etcdctl lock <name>}, etcd's and Cairn's lock service (jetcd's lock client) alike.
 * {@snippet :
 * try (Session session = Session.create(cairn)) {
 *     Mutex mutex = new Mutex(session, "jobs/nightly");
 *     mutex.lock();
 *     try {
 *         storage.write(data, mutex.fencingToken()); // storage refuses tokens lower than one it has seen
 *     } finally {
 *         mutex.unlock();
 *     }
 * }
 * }
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Fair:</b> waiters are served in the order their keys were created (create revision).
 *   <li><b>A dead holder frees the lock:</b> the key lives on the session's lease, so a crashed holder's
 *       lock passes on once its TTL runs out; {@link Session#close()} passes it on at once.
 *   <li><b>Checked after waiting:</b> when its turn comes, the waiter reads its own key again and fails
 *       with etcd's {@code "mutex: session is expired"} if its lease ran out meanwhile, instead of
 *       believing it holds a lock that someone else may already hold (the flaw Jepsen found in etcd 3.4).
 *   <li><b>Fencing token:</b> {@link #fencingToken()} is the create revision of the lock key: every later
 *       holder has a strictly higher token.
 * </ul>
 *
 * <h2>Limits: what the fencing token is for</h2>
 * No lock service can stop a holder that is paused (GC, swap, partition) past its lease from acting as
 * if it still held the lock: the lease expires, the next waiter takes over, and the paused holder wakes
 * up and writes. Mutual exclusion of effects therefore needs the resource to check the token: pass
 * {@link #fencingToken()} with every write and let the resource refuse any token lower than the highest
 * it has accepted. When the resource is Cairn itself, guard the transaction with {@link #isOwner()},
 * which makes the write fail once the key is gone.
 *
 * <p>Threading: one {@code Mutex} object is one holder's handle; call it from one thread at a time. Two
 * handles on the same session and name are the same holder (same key), as in etcd.
 */
public final class Mutex {

    /** etcd's {@code concurrency.ErrSessionExpired}. */
    static final String SESSION_EXPIRED = "mutex: session is expired";

    private final Session session;
    private final String name;
    private final Bytes key;
    private long token; // the key's create revision while held, 0 otherwise

    /** A handle on the lock {@code name} for {@code session}'s holder; takes nothing yet. */
    public Mutex(Session session, String name) {
        this.session = Objects.requireNonNull(session, "session");
        this.name = Objects.requireNonNull(name, "name");
        this.key = Keys.leaseKey(name, session.leaseId());
    }

    /**
     * Blocks until the lock is held.
     *
     * @throws CairnException with {@code "mutex: session is expired"} if the session's lease ran out while
     *     waiting, or the server's error
     * @throws InterruptedException if interrupted while waiting; the waiter's key is withdrawn
     */
    public void lock() throws InterruptedException {
        try {
            acquire(Waits.FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * Waits at most {@code timeout} for the lock.
     *
     * @return whether it is held; if not, the waiter's key is withdrawn
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        try {
            acquire(Waits.deadline(timeout));
            return true;
        } catch (TimeoutException expired) {
            return false;
        }
    }

    private void acquire(long deadline) throws InterruptedException, TimeoutException {
        Bytes prefix = Keys.prefix(name);
        TxnRequest enqueue = TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, Bytes.EMPTY).withLease(session.leaseId()), Keys.firstCreated(prefix))
                .otherwise(RangeRequest.of(key), Keys.firstCreated(prefix));
        boolean acquired = false;
        try {
            // the enqueue may land even if this thread stops waiting for it: every failure withdraws
            TxnResponse queued = Waits.join(session.cairn().kv().txn(enqueue), deadline);
            long own = queued.succeeded() ? queued.header().revision()
                    : ((RangeResponse) queued.responses().get(0)).kvs().get(0).createRevision();
            RangeResponse first = (RangeResponse) queued.responses().get(1);
            if (first.kvs().isEmpty() || first.kvs().get(0).createRevision() != own) {
                Waits.waitDeletes(session.cairn(), RangeRequest.prefix(prefix), own - 1, deadline);
                RangeResponse ownNow = Waits.join(session.cairn().kv().get(key), deadline);
                if (ownNow.kvs().isEmpty() || ownNow.kvs().get(0).createRevision() != own) {
                    throw new CairnException(StatusCode.UNKNOWN, SESSION_EXPIRED);
                }
            }
            token = own;
            acquired = true;
        } finally {
            if (!acquired) {
                withdraw();
            }
        }
    }

    /**
     * Releases the lock (deletes the key); releasing a lock not held does nothing harmful. Not
     * interruptible, so that a release is not lost to an interrupt.
     */
    public void unlock() {
        token = 0;
        withdraw();
    }

    private void withdraw() {
        Waits.joinUninterruptibly(session.cairn().kv().deleteRange(DeleteRangeRequest.of(key)));
    }

    /**
     * The fencing token of the current hold: the lock key's create revision, higher for every later holder.
     *
     * @throws IllegalStateException if this handle does not hold the lock
     */
    public long fencingToken() {
        if (token == 0) {
            throw new IllegalStateException("the lock " + name + " is not held by this handle");
        }
        return token;
    }

    /**
     * The guard "this hold is still current" for a transaction: the lock key still exists with this hold's
     * create revision.
     *
     * @throws IllegalStateException if this handle does not hold the lock
     */
    public Compare isOwner() {
        return Compare.createRevision(key, Compare.Result.EQUAL, fencingToken());
    }

    /** The lock key, {@code <name>/<lease id in hex>}. */
    public Bytes key() {
        return key;
    }

    /** The lock's name. */
    public String name() {
        return name;
    }
}
