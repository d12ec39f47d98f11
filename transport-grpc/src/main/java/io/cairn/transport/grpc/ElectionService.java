package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.etcd.protocol.v3electionpb.CampaignRequest;
import io.cairn.etcd.protocol.v3electionpb.CampaignResponse;
import io.cairn.etcd.protocol.v3electionpb.ElectionGrpc;
import io.cairn.etcd.protocol.v3electionpb.LeaderRequest;
import io.cairn.etcd.protocol.v3electionpb.LeaderResponse;
import io.cairn.etcd.protocol.v3electionpb.ProclaimRequest;
import io.cairn.etcd.protocol.v3electionpb.ProclaimResponse;
import io.cairn.etcd.protocol.v3electionpb.ResignRequest;
import io.cairn.etcd.protocol.v3electionpb.ResignResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code v3electionpb.Election} service on {@link Cairn#election()}. {@code Observe} is paced
 * by the client (see {@link OutboundStream}). A Proclaim or Resign without a leader key fails with
 * etcd's {@code "\"leader\" field must be provided"}, which etcd's election server checks before
 * anything else.
 */
final class ElectionService extends ElectionGrpc.ElectionImplBase {

    private final Cairn cairn;
    private final int maxRequestBytes;

    ElectionService(Cairn cairn, int maxRequestBytes) {
        this.cairn = cairn;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            KvService.checkSize(request, maxRequestBytes);
            return cairn.election().campaign(new io.cairn.api.election.CampaignRequest(
                    KvMapping.toApi(request.getName()), request.getLease(), KvMapping.toApi(request.getValue())));
        }, ServiceMapping::toWire);
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            if (!request.hasLeader()) {
                throw new CairnException(ErrorCode.ELECTION_MISSING_LEADER_KEY);
            }
            KvService.checkSize(request, maxRequestBytes);
            return cairn.election().proclaim(new io.cairn.api.election.ProclaimRequest(
                    ServiceMapping.toApi(request.getLeader()), KvMapping.toApi(request.getValue())));
        }, a -> ProclaimResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.election().leader(new io.cairn.api.election.LeaderRequest(KvMapping.toApi(request.getName()))),
                ServiceMapping::toWire);
    }

    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> responses) {
        var outbound = new OutboundStream<io.cairn.api.election.LeaderResponse, LeaderResponse>(
                (ServerCallStreamObserver<LeaderResponse>) responses, ServiceMapping::toWire, false);
        try {
            cairn.election().observe(new io.cairn.api.election.LeaderRequest(KvMapping.toApi(request.getName())))
                    .subscribe(outbound);
        } catch (RuntimeException failure) {
            outbound.fail(failure);
        }
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            if (!request.hasLeader()) {
                throw new CairnException(ErrorCode.ELECTION_MISSING_LEADER_KEY);
            }
            return cairn.election().resign(new io.cairn.api.election.ResignRequest(ServiceMapping.toApi(request.getLeader())));
        }, a -> ResignResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
    }
}
