package io.cairn.api.cluster;

import io.cairn.api.Stable;

/**
 * A request to promote a learner to a voting member, as etcd's {@code MemberPromoteRequest}. The
 * server refuses a member that is not a learner ({@link io.cairn.api.ErrorCode#MEMBER_NOT_LEARNER})
 * or not caught up with the leader ({@link io.cairn.api.ErrorCode#LEARNER_NOT_READY}).
 *
 * @param id the learner to promote
 */
@Stable(since = "0.1")
public record MemberPromoteRequest(long id) {}
