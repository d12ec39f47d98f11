package io.cairn.api.lock;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to acquire a named lock, as etcd's {@code v3lockpb.LockRequest}.
 *
 * @param name the lock's name, a key prefix under which waiters queue; never null
 * @param lease the lease that holds the lock: when it expires or is revoked the lock is released.
 *     Locking twice with the same lease is one acquisition
 */
@Stable(since = "0.1")
public record LockRequest(Bytes name, long lease) {

    /** @throws NullPointerException if {@code name} is null */
    public LockRequest {
        Objects.requireNonNull(name, "name");
    }
}
