package io.cairn.api.lease;

import io.cairn.api.Stable;

/**
 * A query of a lease's remaining time, as etcd's {@code LeaseTimeToLiveRequest}.
 *
 * @param id the lease
 * @param keys whether to list the keys attached to it
 */
@Stable(since = "0.1")
public record LeaseTimeToLiveRequest(long id, boolean keys) {

    /** A query of lease {@code id} without its keys. */
    public static LeaseTimeToLiveRequest of(long id) {
        return new LeaseTimeToLiveRequest(id, false);
    }

    /** This query listing the attached keys if {@code keys}. */
    public LeaseTimeToLiveRequest withKeys(boolean keys) {
        return new LeaseTimeToLiveRequest(id, keys);
    }
}
