package io.cairn.client;

import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmResponse;
import io.cairn.api.maintenance.DefragmentResponse;
import io.cairn.api.maintenance.DowngradeRequest;
import io.cairn.api.maintenance.DowngradeResponse;
import io.cairn.api.maintenance.HashKVRequest;
import io.cairn.api.maintenance.HashKVResponse;
import io.cairn.api.maintenance.HashResponse;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.maintenance.MoveLeaderRequest;
import io.cairn.api.maintenance.MoveLeaderResponse;
import io.cairn.api.maintenance.SnapshotResponse;
import io.cairn.api.maintenance.StatusResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.etcdserverpb.DefragmentRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashRequest;
import io.cairn.etcd.protocol.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.protocol.etcdserverpb.SnapshotRequest;
import io.cairn.etcd.protocol.etcdserverpb.StatusRequest;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * {@link Maintenance} over etcd's {@code Maintenance} service. Status, hashes and alarm reads are
 * retried; status and hashes describe the member that answered, which after a failover is another.
 */
final class RemoteMaintenance implements Maintenance {

    private final Connection connection;

    RemoteMaintenance(Connection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(MaintenanceGrpc.getAlarmMethod(), ClientMapping.toWire(request),
                request.action() == AlarmRequest.Action.GET).thenApply(ClientMapping::toApi);
    }

    @Override
    public CompletableFuture<StatusResponse> status() {
        return connection.unary(MaintenanceGrpc.getStatusMethod(), StatusRequest.getDefaultInstance(), true)
                .thenApply(ClientMapping::toApi);
    }

    @Override
    public CompletableFuture<DefragmentResponse> defragment() {
        return connection.unary(MaintenanceGrpc.getDefragmentMethod(), DefragmentRequest.getDefaultInstance(), true)
                .thenApply(r -> new DefragmentResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<HashResponse> hash() {
        return connection.unary(MaintenanceGrpc.getHashMethod(), HashRequest.getDefaultInstance(), true)
                .thenApply(r -> new HashResponse(ClientMapping.toApi(r.getHeader()), Integer.toUnsignedLong(r.getHash())));
    }

    @Override
    public CompletableFuture<HashKVResponse> hashKV(HashKVRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.HashKVRequest.newBuilder().setRevision(request.revision()).build();
        return connection.unary(MaintenanceGrpc.getHashKVMethod(), wire, true).thenApply(ClientMapping::toApi);
    }

    @Override
    public Flow.Publisher<SnapshotResponse> snapshot() {
        return ServerStreams.publisher(connection, MaintenanceGrpc.getSnapshotMethod(), SnapshotRequest.getDefaultInstance(),
                r -> new SnapshotResponse(ClientMapping.toApi(r.getHeader()), KvMapping.atLeastZero(r.getRemainingBytes()),
                        KvMapping.toApi(r.getBlob()), r.getVersion()));
    }

    @Override
    public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MoveLeaderRequest.newBuilder().setTargetID(request.targetId()).build();
        return connection.unary(MaintenanceGrpc.getMoveLeaderMethod(), wire, false)
                .thenApply(r -> new MoveLeaderResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<DowngradeResponse> downgrade(DowngradeRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(MaintenanceGrpc.getDowngradeMethod(), ClientMapping.toWire(request), false)
                .thenApply(r -> new DowngradeResponse(ClientMapping.toApi(r.getHeader()), r.getVersion()));
    }
}
