package io.cairn.api.lease;

import io.cairn.api.Stable;

/**
 * A request to revoke a lease and delete every key attached to it, as etcd's {@code LeaseRevokeRequest}.
 * An unknown id fails with {@link io.cairn.api.ErrorCode#LEASE_NOT_FOUND}.
 *
 * @param id the lease to revoke
 */
@Stable(since = "0.1")
public record LeaseRevokeRequest(long id) {}
