package io.cairn.api.election;

import io.cairn.api.Stable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The election service, as etcd's {@code v3electionpb.Election} gRPC service: campaigners queue
 * under the election's name, each on its own lease; the first in line is leader and proclaims
 * values that observers see in order.
 *
 * <p>Null arguments throw at once; methods are thread-safe and do not block; futures complete
 * exceptionally with a {@link io.cairn.api.CairnException} (for example
 * {@link io.cairn.api.ErrorCode#ELECTION_NOT_LEADER}, {@link io.cairn.api.ErrorCode#ELECTION_NO_LEADER}).
 */
@Stable(since = "0.1")
public interface Election {

    /**
     * Campaigns for leadership: the future completes once the caller is leader, which may take
     * indefinitely long. Cancelling it before then withdraws the candidacy, as cancelling etcd's
     * RPC does.
     */
    CompletableFuture<CampaignResponse> campaign(CampaignRequest request);

    /** Replaces the leader's proclaimed value. */
    CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest request);

    /** The current leader and its value. */
    CompletableFuture<LeaderResponse> leader(LeaderRequest request);

    /**
     * Streams the election's proclamations in order, as etcd's server-streaming {@code Observe}
     * RPC: first the current leader's value (once there is a leader), then every new proclamation
     * and every change of leader. The stream does not end while the election exists; cancel the
     * subscription to stop. Failures end it with {@code onError} and a
     * {@link io.cairn.api.CairnException}. Each subscription is independent and follows its own demand.
     */
    Flow.Publisher<LeaderResponse> observe(LeaderRequest request);

    /** Gives up leadership; the next campaigner, if any, becomes leader. */
    CompletableFuture<ResignResponse> resign(ResignRequest request);
}
