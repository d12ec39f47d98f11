package io.cairn.api.lock;

import io.cairn.api.Bytes;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link LockRequest} once the lock is held, as etcd's {@code v3lockpb.LockResponse}.
 *
 * @param header the response header
 * @param key the ownership key: it exists exactly as long as the caller holds the lock, so a
 *     transaction can guard on it (for example that its create revision is unchanged). Do not
 *     write it. Never null
 */
@Stable(since = "0.1")
public record LockResponse(ResponseHeader header, Bytes key) {

    /** @throws NullPointerException if a component is null */
    public LockResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(key, "key");
    }
}
