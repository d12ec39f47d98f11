package io.cairn.api.lease;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

/**
 * A request for a new lease, as etcd's {@code LeaseGrantRequest}.
 *
 * <p>The server may raise a short TTL to its minimum and rejects one above its maximum with
 * {@link io.cairn.api.ErrorCode#LEASE_TTL_TOO_LARGE}; an id in use is rejected with
 * {@link io.cairn.api.ErrorCode#LEASE_EXISTS}.
 *
 * @param ttl the requested time to live, in seconds
 * @param id the requested lease id, 0 to let the server choose
 */
@Stable(since = "0.1")
public record LeaseGrantRequest(long ttl, long id) {

    /** @throws IllegalArgumentException if {@code ttl} or {@code id} is negative */
    public LeaseGrantRequest {
        Checks.notNegative(ttl, "ttl");
        Checks.notNegative(id, "id");
    }

    /** A lease of {@code ttlSeconds} with an id the server chooses. */
    public static LeaseGrantRequest of(long ttlSeconds) {
        return new LeaseGrantRequest(ttlSeconds, 0);
    }

    /** This request asking for lease id {@code id} (0: the server chooses). */
    public LeaseGrantRequest withId(long id) {
        return new LeaseGrantRequest(ttl, id);
    }
}
