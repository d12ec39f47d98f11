package io.cairn.client;

import io.cairn.api.cluster.Cluster;
import io.cairn.api.cluster.MemberAddRequest;
import io.cairn.api.cluster.MemberAddResponse;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.api.cluster.MemberListResponse;
import io.cairn.api.cluster.MemberPromoteRequest;
import io.cairn.api.cluster.MemberPromoteResponse;
import io.cairn.api.cluster.MemberRemoveRequest;
import io.cairn.api.cluster.MemberRemoveResponse;
import io.cairn.api.cluster.MemberUpdateRequest;
import io.cairn.api.cluster.MemberUpdateResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.etcdserverpb.ClusterGrpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** {@link Cluster} over etcd's {@code Cluster} service; only the member list is retried. */
final class RemoteCluster implements Cluster {

    private final Connection connection;

    RemoteCluster(Connection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MemberAddRequest.newBuilder()
                .addAllPeerURLs(request.peerUrls()).setIsLearner(request.learner()).build();
        return connection.unary(ClusterGrpc.getMemberAddMethod(), wire, false)
                .thenApply(r -> new MemberAddResponse(ClientMapping.toApi(r.getHeader()), ClientMapping.toApi(r.getMember()),
                        ClientMapping.toApiMembers(r.getMembersList())));
    }

    @Override
    public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MemberRemoveRequest.newBuilder().setID(request.id()).build();
        return connection.unary(ClusterGrpc.getMemberRemoveMethod(), wire, false)
                .thenApply(r -> new MemberRemoveResponse(ClientMapping.toApi(r.getHeader()),
                        ClientMapping.toApiMembers(r.getMembersList())));
    }

    @Override
    public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MemberUpdateRequest.newBuilder()
                .setID(request.id()).addAllPeerURLs(request.peerUrls()).build();
        return connection.unary(ClusterGrpc.getMemberUpdateMethod(), wire, false)
                .thenApply(r -> new MemberUpdateResponse(ClientMapping.toApi(r.getHeader()),
                        ClientMapping.toApiMembers(r.getMembersList())));
    }

    @Override
    public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MemberListRequest.newBuilder()
                .setLinearizable(request.linearizable()).build();
        return connection.unary(ClusterGrpc.getMemberListMethod(), wire, true)
                .thenApply(r -> new MemberListResponse(ClientMapping.toApi(r.getHeader()),
                        ClientMapping.toApiMembers(r.getMembersList())));
    }

    @Override
    public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.MemberPromoteRequest.newBuilder().setID(request.id()).build();
        return connection.unary(ClusterGrpc.getMemberPromoteMethod(), wire, false)
                .thenApply(r -> new MemberPromoteResponse(ClientMapping.toApi(r.getHeader()),
                        ClientMapping.toApiMembers(r.getMembersList())));
    }
}
