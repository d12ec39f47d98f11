package io.cairn.api.lease;

import io.cairn.api.Bytes;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link LeaseTimeToLiveRequest}, as etcd's {@code LeaseTimeToLiveResponse}.
 *
 * @param header the response header
 * @param id the lease
 * @param ttl the remaining time to live in seconds (the lease expires in under {@code ttl + 1}
 *     seconds); -1 when the lease does not exist or has expired
 * @param grantedTtl the TTL granted at creation or last renewal, in seconds
 * @param keys the keys attached, when asked for; unmodifiable
 */
@Stable(since = "0.1")
public record LeaseTimeToLiveResponse(ResponseHeader header, long id, long ttl, long grantedTtl, List<Bytes> keys) {

    /**
     * Copies {@code keys}.
     *
     * @throws NullPointerException if {@code header}, {@code keys} or a key is null
     */
    public LeaseTimeToLiveResponse {
        Objects.requireNonNull(header, "header");
        keys = Checks.copyOf(keys, "keys");
    }
}
