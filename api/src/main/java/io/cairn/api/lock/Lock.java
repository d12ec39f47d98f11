package io.cairn.api.lock;

import io.cairn.api.Stable;

import java.util.concurrent.CompletableFuture;

/**
 * The lock service, as etcd's {@code v3lockpb.Lock} gRPC service: fair (first come, first served)
 * distributed locks whose ownership is a key attached to the caller's lease.
 *
 * <p>Null arguments throw at once; methods are thread-safe and do not block; futures complete
 * exceptionally with a {@link io.cairn.api.CairnException} (for example
 * {@link io.cairn.api.ErrorCode#LEASE_NOT_FOUND} when the lease does not exist).
 */
@Stable(since = "0.1")
public interface Lock {

    /**
     * Acquires the lock: the future completes once the caller holds it, which may take
     * indefinitely long. Cancelling the future before then withdraws from the queue (the waiter's
     * key is deleted), as cancelling etcd's RPC does; once it has completed, release with
     * {@link #unlock}.
     */
    CompletableFuture<LockResponse> lock(LockRequest request);

    /** Releases the lock held by an ownership key; releasing a lock no longer held succeeds. */
    CompletableFuture<UnlockResponse> unlock(UnlockRequest request);
}
