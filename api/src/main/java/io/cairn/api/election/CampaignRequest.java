package io.cairn.api.election;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A bid for leadership of an election, as etcd's {@code v3electionpb.CampaignRequest}.
 *
 * @param name the election's name; never null
 * @param lease the lease that holds leadership: when it expires or is revoked, leadership passes
 *     to the next campaigner
 * @param value the value proclaimed on winning; never null
 */
@Stable(since = "0.1")
public record CampaignRequest(Bytes name, long lease, Bytes value) {

    /** @throws NullPointerException if {@code name} or {@code value} is null */
    public CampaignRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
