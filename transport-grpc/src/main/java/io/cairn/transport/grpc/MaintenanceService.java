package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.etcd.protocol.etcdserverpb.AlarmRequest;
import io.cairn.etcd.protocol.etcdserverpb.AlarmResponse;
import io.cairn.etcd.protocol.etcdserverpb.DefragmentRequest;
import io.cairn.etcd.protocol.etcdserverpb.DefragmentResponse;
import io.cairn.etcd.protocol.etcdserverpb.DowngradeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DowngradeResponse;
import io.cairn.etcd.protocol.etcdserverpb.HashKVRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashKVResponse;
import io.cairn.etcd.protocol.etcdserverpb.HashRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashResponse;
import io.cairn.etcd.protocol.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.protocol.etcdserverpb.MoveLeaderRequest;
import io.cairn.etcd.protocol.etcdserverpb.MoveLeaderResponse;
import io.cairn.etcd.protocol.etcdserverpb.SnapshotRequest;
import io.cairn.etcd.protocol.etcdserverpb.SnapshotResponse;
import io.cairn.etcd.protocol.etcdserverpb.StatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.StatusResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code etcdserverpb.Maintenance} service on {@link Cairn#maintenance()}: every method the
 * api has. The snapshot stream is paced by the client (see {@link OutboundStream}).
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {

    private final Cairn cairn;

    MaintenanceService(Cairn cairn) {
        this.cairn = cairn;
    }

    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.maintenance().alarm(ServiceMapping.toApi(request)), ServiceMapping::toWire);
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.maintenance().status(), ServiceMapping::toWire);
    }

    @Override
    public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.maintenance().defragment(),
                answer -> DefragmentResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
    }

    @Override
    public void hash(HashRequest request, StreamObserver<HashResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.maintenance().hash(), ServiceMapping::toWire);
    }

    @Override
    public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.maintenance().hashKV(new io.cairn.api.maintenance.HashKVRequest(
                        KvMapping.atLeastZero(request.getRevision()))),
                ServiceMapping::toWire);
    }

    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> responses) {
        var outbound = new OutboundStream<io.cairn.api.maintenance.SnapshotResponse, SnapshotResponse>(
                (ServerCallStreamObserver<SnapshotResponse>) responses, ServiceMapping::toWire, false);
        try {
            cairn.maintenance().snapshot().subscribe(outbound);
        } catch (RuntimeException failure) {
            outbound.fail(failure);
        }
    }

    @Override
    public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.maintenance().moveLeader(new io.cairn.api.maintenance.MoveLeaderRequest(request.getTargetID())),
                answer -> MoveLeaderResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
    }

    @Override
    public void downgrade(DowngradeRequest request, StreamObserver<DowngradeResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.maintenance().downgrade(ServiceMapping.toApi(request)),
                answer -> DowngradeResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .setVersion(answer.version()).build());
    }
}
