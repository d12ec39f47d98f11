package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;

import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A double barrier: {@code count} parties {@link #enter()} together (nobody passes until all have
 * arrived) and {@link #leave()} together (nobody passes until all have left), as in etcd's
 * {@code recipes/v3.DoubleBarrier}. Each party registers a key {@code <name>/waiters/<unique>} on its
 * session's lease; the party that completes the count creates {@code <name>/ready}.
 * {@snippet :
 * DoubleBarrier phase = new DoubleBarrier(session, "jobs/phase-1", 3);
 * phase.enter();   // returns when 3 parties have entered
 * compute();
 * phase.leave();   // returns when all 3 have left
 * }
 *
 * <p>Guarantees: {@code enter} returns only once {@code count} parties have entered; {@code leave} only
 * once every party has left. A party whose session ends counts as having left. Limits: one round at a
 * time per name (a party entering the next round before the last one of this round has left sees the
 * old {@code ready} key and passes at once); every party must use the same {@code count}.
 * Threading: one object per party; call it from one thread.
 */
public final class DoubleBarrier {

    private final Session session;
    private final int count;
    private final Bytes waiters;
    private final Bytes ready;
    private Bytes own;

    /** The double barrier {@code name} for {@code count} parties, for {@code session}'s party. */
    public DoubleBarrier(Session session, String name, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, not " + count);
        }
        this.session = Objects.requireNonNull(session, "session");
        this.count = count;
        this.waiters = Keys.prefix(name + "/waiters");
        this.ready = Bytes.fromUtf8(name + "/ready");
    }

    /** Registers this party and blocks until {@code count} parties have. */
    public void enter() throws InterruptedException {
        if (own != null) {
            throw new IllegalStateException("this party has entered already");
        }
        own = Keys.unique(waiters);
        Waits.join(session.cairn().kv().put(PutRequest.of(own, Bytes.EMPTY).withLease(session.leaseId())));
        RangeResponse entered = Waits.join(session.cairn().kv().range(RangeRequest.prefix(waiters).withCountOnly(true)));
        if (entered.count() >= count) {
            Waits.join(session.cairn().kv().txn(TxnRequest.empty()
                    .when(Compare.createRevision(ready, Compare.Result.EQUAL, 0))
                    .then(PutRequest.of(ready, Bytes.EMPTY))));
            return;
        }
        try {
            while (true) {
                RangeResponse now = Waits.join(session.cairn().kv().get(ready));
                if (!now.kvs().isEmpty() || Waits.awaitEvent(session.cairn(), WatchCreateRequest.of(ready)
                        .withStartRevision(now.header().revision() + 1), e -> e.type() == Event.Type.PUT, Waits.FOREVER)) {
                    return;
                }
            }
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Unregisters this party and blocks until every party has; the last to leave removes {@code ready}. */
    public void leave() throws InterruptedException {
        if (own == null) {
            throw new IllegalStateException("this party has not entered");
        }
        Waits.join(session.cairn().kv().deleteRange(DeleteRangeRequest.of(own)));
        own = null;
        try {
            Waits.waitDeletes(session.cairn(), RangeRequest.prefix(waiters), Long.MAX_VALUE >> 1, Waits.FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
        Waits.join(session.cairn().kv().deleteRange(DeleteRangeRequest.of(ready)));
    }
}
