package io.cairn.client;

import io.cairn.api.election.CampaignRequest;
import io.cairn.api.election.CampaignResponse;
import io.cairn.api.election.Election;
import io.cairn.api.election.LeaderRequest;
import io.cairn.api.election.LeaderResponse;
import io.cairn.api.election.ProclaimRequest;
import io.cairn.api.election.ProclaimResponse;
import io.cairn.api.election.ResignRequest;
import io.cairn.api.election.ResignResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.v3electionpb.ElectionGrpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** {@link Election} over etcd's {@code v3electionpb.Election} service; only Leader is retried. */
final class RemoteElection implements Election {

    private final Connection connection;

    RemoteElection(Connection connection) {
        this.connection = connection;
    }

    private static LeaderResponse toApi(io.cairn.etcd.protocol.v3electionpb.LeaderResponse r) {
        return new LeaderResponse(ClientMapping.toApi(r.getHeader()), KvMapping.toApi(r.getKv()));
    }

    @Override
    public CompletableFuture<CampaignResponse> campaign(CampaignRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3electionpb.CampaignRequest.newBuilder()
                .setName(KvMapping.toWire(request.name())).setLease(request.lease())
                .setValue(KvMapping.toWire(request.value())).build();
        return connection.unary(ElectionGrpc.getCampaignMethod(), wire, false)
                .thenApply(r -> new CampaignResponse(ClientMapping.toApi(r.getHeader()), ServiceMapping.toApi(r.getLeader())));
    }

    @Override
    public CompletableFuture<ProclaimResponse> proclaim(ProclaimRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3electionpb.ProclaimRequest.newBuilder()
                .setLeader(ServiceMapping.toWire(request.leader())).setValue(KvMapping.toWire(request.value())).build();
        return connection.unary(ElectionGrpc.getProclaimMethod(), wire, false)
                .thenApply(r -> new ProclaimResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<LeaderResponse> leader(LeaderRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3electionpb.LeaderRequest.newBuilder().setName(KvMapping.toWire(request.name())).build();
        return connection.unary(ElectionGrpc.getLeaderMethod(), wire, true).thenApply(RemoteElection::toApi);
    }

    @Override
    public Flow.Publisher<LeaderResponse> observe(LeaderRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3electionpb.LeaderRequest.newBuilder().setName(KvMapping.toWire(request.name())).build();
        return ServerStreams.publisher(connection, ElectionGrpc.getObserveMethod(), wire, RemoteElection::toApi);
    }

    @Override
    public CompletableFuture<ResignResponse> resign(ResignRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3electionpb.ResignRequest.newBuilder()
                .setLeader(ServiceMapping.toWire(request.leader())).build();
        return connection.unary(ElectionGrpc.getResignMethod(), wire, false)
                .thenApply(r -> new ResignResponse(ClientMapping.toApi(r.getHeader())));
    }
}
