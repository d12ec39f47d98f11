package io.cairn.api.cluster;

import io.cairn.api.Stable;

/**
 * A request to remove a member, as etcd's {@code MemberRemoveRequest}.
 *
 * @param id the member to remove
 */
@Stable(since = "0.1")
public record MemberRemoveRequest(long id) {}
