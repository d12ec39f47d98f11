package io.cairn.api.election;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A new value from the leader, as etcd's {@code v3electionpb.ProclaimRequest}. Refused with
 * {@link io.cairn.api.ErrorCode#ELECTION_NOT_LEADER} when {@code leader} no longer holds leadership.
 *
 * @param leader the proof of leadership; never null
 * @param value the value to proclaim; never null
 */
@Stable(since = "0.1")
public record ProclaimRequest(LeaderKey leader, Bytes value) {

    /** @throws NullPointerException if a component is null */
    public ProclaimRequest {
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(value, "value");
    }
}
