package io.cairn.api.lock;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to release a lock, as etcd's {@code v3lockpb.UnlockRequest}.
 *
 * @param key the ownership key from {@link LockResponse#key()}; never null
 */
@Stable(since = "0.1")
public record UnlockRequest(Bytes key) {

    /** @throws NullPointerException if {@code key} is null */
    public UnlockRequest {
        Objects.requireNonNull(key, "key");
    }
}
