package io.cairn.api.election;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a won campaign, as etcd's {@code v3electionpb.CampaignResponse}.
 *
 * @param header the response header
 * @param leader the proof of leadership; never null
 */
@Stable(since = "0.1")
public record CampaignResponse(ResponseHeader header, LeaderKey leader) {

    /** @throws NullPointerException if a component is null */
    public CampaignResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(leader, "leader");
    }
}
