package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.etcd.protocol.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberListRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberListResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateResponse;
import io.grpc.stub.StreamObserver;

/** etcd's {@code etcdserverpb.Cluster} service on {@link Cairn#cluster()}. Member ids are uint64, carried bit for bit. */
final class ClusterService extends ClusterGrpc.ClusterImplBase {

    private final Cairn cairn;

    ClusterService(Cairn cairn) {
        this.cairn = cairn;
    }

    @Override
    public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.cluster().memberAdd(new io.cairn.api.cluster.MemberAddRequest(
                        request.getPeerURLsList(), request.getIsLearner())),
                answer -> MemberAddResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .setMember(ServiceMapping.toWire(answer.member()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build());
    }

    @Override
    public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.cluster().memberRemove(new io.cairn.api.cluster.MemberRemoveRequest(request.getID())),
                answer -> MemberRemoveResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build());
    }

    @Override
    public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.cluster().memberUpdate(new io.cairn.api.cluster.MemberUpdateRequest(
                        request.getID(), request.getPeerURLsList())),
                answer -> MemberUpdateResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build());
    }

    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.cluster().memberList(new io.cairn.api.cluster.MemberListRequest(request.getLinearizable())),
                ServiceMapping::toWire);
    }

    @Override
    public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.cluster().memberPromote(new io.cairn.api.cluster.MemberPromoteRequest(request.getID())),
                answer -> MemberPromoteResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build());
    }
}
