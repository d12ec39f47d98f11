package io.cairn.api.maintenance;

import io.cairn.api.Stable;

/**
 * A request to hand leadership to another member, as etcd's {@code MoveLeaderRequest}. Only the
 * leader accepts it ({@link io.cairn.api.ErrorCode#NOT_LEADER}); a target that is not a voting
 * member is refused ({@link io.cairn.api.ErrorCode#BAD_LEADER_TRANSFEREE}).
 *
 * @param targetId the member to become leader
 */
@Stable(since = "0.1")
public record MoveLeaderRequest(long targetId) {}
