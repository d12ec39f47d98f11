package io.cairn.api.election;

import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * An election's current leader and proclamation, as etcd's {@code v3electionpb.LeaderResponse}.
 *
 * @param header the response header
 * @param kv the leader's key and its latest proclaimed value; never null (with no leader, the call
 *     fails with {@link io.cairn.api.ErrorCode#ELECTION_NO_LEADER} instead)
 */
@Stable(since = "0.1")
public record LeaderResponse(ResponseHeader header, KeyValue kv) {

    /** @throws NullPointerException if a component is null */
    public LeaderResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(kv, "kv");
    }
}
