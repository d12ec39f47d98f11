package io.cairn.api.election;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * Giving up leadership, as etcd's {@code v3electionpb.ResignRequest}.
 *
 * @param leader the proof of leadership to give up; never null
 */
@Stable(since = "0.1")
public record ResignRequest(LeaderKey leader) {

    /** @throws NullPointerException if {@code leader} is null */
    public ResignRequest {
        Objects.requireNonNull(leader, "leader");
    }
}
