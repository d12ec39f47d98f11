package io.cairn.api.lease;

import io.cairn.api.Stable;

/**
 * One lease in a {@link LeaseLeasesResponse}, as etcd's {@code LeaseStatus}.
 *
 * @param id the lease id
 */
@Stable(since = "0.1")
public record LeaseStatus(long id) {}
