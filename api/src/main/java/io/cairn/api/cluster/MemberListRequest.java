package io.cairn.api.cluster;

import io.cairn.api.Stable;

/**
 * A request for the member list, as etcd's {@code MemberListRequest}.
 *
 * @param linearizable whether to confirm the list with the cluster (a linearizable read) instead of
 *     answering from the member's local view
 */
@Stable(since = "0.1")
public record MemberListRequest(boolean linearizable) {

    /** The member's local view, as etcd answers by default. */
    public static MemberListRequest local() {
        return new MemberListRequest(false);
    }

    /** A list confirmed with the cluster. */
    public static MemberListRequest linearizableRead() {
        return new MemberListRequest(true);
    }
}
