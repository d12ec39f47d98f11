package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.KeyValue;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A fair distributed counting semaphore on a {@link Session}'s lease: each acquisition creates a key
 * {@code <name>/<unique>}; the {@code permits} oldest keys (by create revision) hold a permit, the others
 * wait in arrival order.
 * {@snippet :
 * Semaphore downloads = new Semaphore(session, "limits/downloads", 3);
 * Semaphore.Permit permit = downloads.acquire();
 * try { download() } finally { permit.release(); }
 * }
 *
 * <p>Guarantees: at most {@code permits} acquisitions hold at once, as long as every party uses the same
 * {@code permits} for the name (it is not stored); a holder whose lease ends frees its permit. Limits: as
 * with {@link Mutex}, a holder paused past its lease may still act on a permit it lost; a waiter's
 * lease is checked once its turn comes.
 *
 * <p>Threading: thread-safe; every acquisition is its own {@link Permit}.
 */
public final class Semaphore {

    private final Session session;
    private final String name;
    private final int permits;

    /** A semaphore {@code name} of {@code permits} permits for {@code session}'s holder. */
    public Semaphore(Session session, String name, int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, not " + permits);
        }
        this.session = Objects.requireNonNull(session, "session");
        this.name = Objects.requireNonNull(name, "name");
        this.permits = permits;
    }

    /** Blocks until a permit is held. */
    public Permit acquire() throws InterruptedException {
        try {
            return acquire(Waits.FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Waits at most {@code timeout} for a permit; null if none came in time. */
    public Permit tryAcquire(Duration timeout) throws InterruptedException {
        try {
            return acquire(Waits.deadline(timeout));
        } catch (TimeoutException expired) {
            return null;
        }
    }

    private Permit acquire(long deadline) throws InterruptedException, TimeoutException {
        Bytes prefix = Keys.prefix(name);
        Bytes key = Keys.unique(prefix);
        TxnResponse created = Waits.joinUninterruptibly(session.cairn().kv().txn(TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, Bytes.EMPTY).withLease(session.leaseId()))));
        Permit permit = new Permit(key);
        if (!created.succeeded()) {
            throw new IllegalStateException("a random semaphore key collided: " + key);
        }
        boolean granted = false;
        try {
            RangeRequest oldest = RangeRequest.prefix(prefix).withKeysOnly(true).withLimit(permits)
                    .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.ASCEND);
            while (true) {
                RangeResponse holders = Waits.join(session.cairn().kv().range(oldest), deadline);
                for (KeyValue holder : holders.kvs()) {
                    if (holder.key().equals(key)) {
                        granted = true;
                        return permit;
                    }
                }
                if (holders.kvs().size() < permits) {
                    throw new CairnException(StatusCode.UNKNOWN, Mutex.SESSION_EXPIRED); // our key is gone
                }
                // a delete under the prefix may move us up
                Waits.awaitEvent(session.cairn(), WatchCreateRequest.prefix(prefix)
                        .withStartRevision(holders.header().revision() + 1), e -> e.type() == Event.Type.DELETE, deadline);
            }
        } finally {
            if (!granted) {
                permit.release();
            }
        }
    }

    /** One held permit. */
    public final class Permit {
        private final Bytes key;

        private Permit(Bytes key) {
            this.key = key;
        }

        /** Gives the permit back; idempotent; not interruptible. */
        public void release() {
            Waits.joinUninterruptibly(session.cairn().kv().deleteRange(DeleteRangeRequest.of(key)));
        }
    }
}
