package io.cairn.server.concurrency;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.lease.Lease;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lock.Lock;
import io.cairn.api.lock.LockRequest;
import io.cairn.api.lock.LockResponse;
import io.cairn.api.lock.UnlockRequest;
import io.cairn.api.lock.UnlockResponse;
import io.cairn.api.watch.Watch;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's {@code v3lock} service on the key-value, watch and lease services, as etcd's lock server runs
 * {@code concurrency.Mutex}:
 * <ol>
 *   <li>in one transaction, create {@code <name>/<lease hex>} with the lease unless it exists (locking
 *       twice with one lease is one acquisition) and read the queue's first key;
 *   <li>if that key is not one's own, wait until every key created before one's own is deleted;
 *   <li>then read one's own key again: if it is gone, the lease ran out while waiting and the call fails
 *       with etcd's {@code "mutex: session is expired"} instead of reporting a lock that is not held
 *       (the check whose absence Jepsen found in etcd 3.4's lock).
 * </ol>
 * The answer's key is the ownership key; its create revision orders holders (a fencing token). Unlock
 * deletes the key. A request with lease 0 gets a fresh lease of 60 seconds that nobody keeps alive, as
 * etcd's does.
 *
 * <p>Cancelling the future of {@link #lock} while it waits deletes the waiter's key, as a failure while
 * waiting does. Threading: thread-safe; nothing blocks; continuations run on the threads completing the
 * underlying services' futures.
 */
public final class KvLock implements Lock {

    /** etcd's {@code concurrency.ErrSessionExpired}. */
    static final String SESSION_EXPIRED = "mutex: session is expired";

    private final KV kv;
    private final Watch watch;
    private final Lease lease;

    /** A lock service on these services; it keeps no state of its own between calls. */
    public KvLock(KV kv, Watch watch, Lease lease) {
        this.kv = Objects.requireNonNull(kv, "kv");
        this.watch = Objects.requireNonNull(watch, "watch");
        this.lease = Objects.requireNonNull(lease, "lease");
    }

    @Override
    public CompletableFuture<LockResponse> lock(LockRequest request) {
        Objects.requireNonNull(request, "request");
        Pending pending = new Pending();
        CompletableFuture<LockResponse> result = new CompletableFuture<>();
        sessionLease(lease, request.lease())
                .thenCompose(leaseId -> {
                    Bytes key = Queueing.ownKey(request.name(), leaseId);
                    result.whenComplete((held, failure) -> {
                        if (failure instanceof CancellationException) {
                            pending.cancel();
                            kv.delete(key); // withdraw, as etcd's server does when the RPC is cancelled
                        }
                    });
                    return acquire(request.name(), key, leaseId, pending);
                })
                .whenComplete((held, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(Queueing.unwrap(failure));
                    } else {
                        result.complete(held);
                    }
                });
        return result;
    }

    private CompletableFuture<LockResponse> acquire(Bytes name, Bytes key, long leaseId, Pending pending) {
        Bytes prefix = Queueing.prefix(name);
        TxnRequest enqueue = TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, Bytes.EMPTY).withLease(leaseId), Queueing.firstCreated(prefix))
                .otherwise(RangeRequest.of(key), Queueing.firstCreated(prefix));
        return kv.txn(enqueue).thenCompose(queued -> {
            if (pending.isCancelled()) {
                kv.delete(key); // cancelled while the enqueue was on its way: it may have landed after the withdrawal
                throw new CancellationException();
            }
            long ownRevision = queued.succeeded() ? queued.header().revision()
                    : ((RangeResponse) queued.responses().get(0)).kvs().get(0).createRevision();
            RangeResponse first = (RangeResponse) queued.responses().get(1);
            if (first.kvs().isEmpty() || first.kvs().get(0).createRevision() == ownRevision) {
                return CompletableFuture.completedFuture(new LockResponse(queued.header(), key));
            }
            return Queueing.waitDeletes(kv, watch, prefix, ownRevision - 1, pending)
                    .thenCompose(turn -> kv.get(key))
                    .handle((ownNow, failure) -> {
                        if (failure != null) {
                            kv.delete(key); // etcd's Mutex.Lock unlocks when waiting fails
                            throw new java.util.concurrent.CompletionException(Queueing.unwrap(failure));
                        }
                        if (ownNow.kvs().isEmpty() || ownNow.kvs().get(0).createRevision() != ownRevision) {
                            throw new CairnException(StatusCode.UNKNOWN, SESSION_EXPIRED);
                        }
                        return new LockResponse(ownNow.header(), key);
                    });
        });
    }

    @Override
    public CompletableFuture<UnlockResponse> unlock(UnlockRequest request) {
        Objects.requireNonNull(request, "request");
        return kv.delete(request.key()).thenApply(deleted -> new UnlockResponse(deleted.header()));
    }

    /**
     * The lease a request names, or for 0 a new one of {@link Queueing#DEFAULT_SESSION_TTL_SECONDS}, as
     * etcd's {@code concurrency.NewSession} grants when given no lease.
     */
    static CompletableFuture<Long> sessionLease(Lease lease, long requested) {
        if (requested != 0) {
            return CompletableFuture.completedFuture(requested);
        }
        return lease.grant(LeaseGrantRequest.of(Queueing.DEFAULT_SESSION_TTL_SECONDS)).thenApply(granted -> granted.id());
    }
}
