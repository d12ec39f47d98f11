package io.cairn.client;

import io.cairn.api.lease.Lease;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseGrantResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.api.lease.LeaseLeasesResponse;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseRevokeResponse;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesRequest;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Lease} over etcd's {@code Lease} service. A grant with an id of the caller's is retried (a
 * second grant of the same id fails with "lease already exists"; a grant the server chose the id for
 * is not, it could leave a lease behind); revoke, time-to-live and the list are retried.
 */
final class RemoteLease implements Lease {

    private final Connection connection;

    RemoteLease(Connection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest.newBuilder()
                .setTTL(request.ttl()).setID(request.id()).build();
        return connection.unary(LeaseGrpc.getLeaseGrantMethod(), wire, false).thenApply(ClientMapping::toApi);
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(request.id()).build();
        return connection.unary(LeaseGrpc.getLeaseRevokeMethod(), wire, false)
                .thenApply(r -> new LeaseRevokeResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public LeaseKeepAliveStream openKeepAliveStream() {
        return new RemoteKeepAliveStream(connection);
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveRequest.newBuilder()
                .setID(request.id()).setKeys(request.keys()).build();
        return connection.unary(LeaseGrpc.getLeaseTimeToLiveMethod(), wire, true).thenApply(ClientMapping::toApi);
    }

    @Override
    public CompletableFuture<LeaseLeasesResponse> leases() {
        return connection.unary(LeaseGrpc.getLeaseLeasesMethod(), LeaseLeasesRequest.getDefaultInstance(), true)
                .thenApply(ClientMapping::toApi);
    }
}
