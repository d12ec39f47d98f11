package io.cairn.api.lease;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to one keep-alive, as etcd's {@code LeaseKeepAliveResponse}.
 *
 * @param header the response header
 * @param id the lease that was kept alive
 * @param ttl the new time to live in seconds; 0 (or less) when the lease does not exist, which etcd
 *     reports this way rather than as an error, so the stream stays open
 */
@Stable(since = "0.1")
public record LeaseKeepAliveResponse(ResponseHeader header, long id, long ttl) {

    /** @throws NullPointerException if {@code header} is null */
    public LeaseKeepAliveResponse {
        Objects.requireNonNull(header, "header");
    }

    /** Whether the lease was found and renewed ({@code ttl > 0}). */
    public boolean isAlive() {
        return ttl > 0;
    }
}
