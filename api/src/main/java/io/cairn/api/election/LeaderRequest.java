package io.cairn.api.election;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A query of an election's leader, as etcd's {@code v3electionpb.LeaderRequest}.
 *
 * @param name the election's name; never null
 */
@Stable(since = "0.1")
public record LeaderRequest(Bytes name) {

    /** @throws NullPointerException if {@code name} is null */
    public LeaderRequest {
        Objects.requireNonNull(name, "name");
    }
}
