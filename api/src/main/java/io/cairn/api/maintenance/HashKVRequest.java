package io.cairn.api.maintenance;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

/**
 * A request for the hash of the key-value history up to a revision, as etcd's {@code HashKVRequest}.
 *
 * @param revision the revision to hash up to, 0 for the newest
 */
@Stable(since = "0.1")
public record HashKVRequest(long revision) {

    /** @throws IllegalArgumentException if {@code revision} is negative */
    public HashKVRequest {
        Checks.notNegative(revision, "revision");
    }
}
