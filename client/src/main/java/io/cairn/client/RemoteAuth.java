package io.cairn.client;

import io.cairn.api.auth.Auth;
import io.cairn.api.auth.AuthDisableResponse;
import io.cairn.api.auth.AuthEnableResponse;
import io.cairn.api.auth.AuthRoleAddRequest;
import io.cairn.api.auth.AuthRoleAddResponse;
import io.cairn.api.auth.AuthRoleDeleteRequest;
import io.cairn.api.auth.AuthRoleDeleteResponse;
import io.cairn.api.auth.AuthRoleGetRequest;
import io.cairn.api.auth.AuthRoleGetResponse;
import io.cairn.api.auth.AuthRoleGrantPermissionRequest;
import io.cairn.api.auth.AuthRoleGrantPermissionResponse;
import io.cairn.api.auth.AuthRoleListResponse;
import io.cairn.api.auth.AuthRoleRevokePermissionRequest;
import io.cairn.api.auth.AuthRoleRevokePermissionResponse;
import io.cairn.api.auth.AuthStatusResponse;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserAddResponse;
import io.cairn.api.auth.AuthUserChangePasswordRequest;
import io.cairn.api.auth.AuthUserChangePasswordResponse;
import io.cairn.api.auth.AuthUserDeleteRequest;
import io.cairn.api.auth.AuthUserDeleteResponse;
import io.cairn.api.auth.AuthUserGetRequest;
import io.cairn.api.auth.AuthUserGetResponse;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.AuthUserGrantRoleResponse;
import io.cairn.api.auth.AuthUserListResponse;
import io.cairn.api.auth.AuthUserRevokeRoleRequest;
import io.cairn.api.auth.AuthUserRevokeRoleResponse;
import io.cairn.api.auth.AuthenticateRequest;
import io.cairn.api.auth.AuthenticateResponse;
import io.cairn.api.auth.Permission;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.authpb.UserAddOptions;
import io.cairn.etcd.protocol.etcdserverpb.AuthDisableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthEnableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthGrpc;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleListRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthStatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserListRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Auth} over etcd's {@code Auth} service. Reads (status, get, list) and Authenticate are
 * retried. {@link #authenticate} returns a token to the caller; the client's own token (from the
 * builder's user) is separate.
 */
final class RemoteAuth implements Auth {

    private final Connection connection;

    RemoteAuth(Connection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<AuthEnableResponse> authEnable() {
        return connection.unary(AuthGrpc.getAuthEnableMethod(), AuthEnableRequest.getDefaultInstance(), false)
                .thenApply(r -> new AuthEnableResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthDisableResponse> authDisable() {
        return connection.unary(AuthGrpc.getAuthDisableMethod(), AuthDisableRequest.getDefaultInstance(), false)
                .thenApply(r -> new AuthDisableResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthStatusResponse> authStatus() {
        return connection.unary(AuthGrpc.getAuthStatusMethod(), AuthStatusRequest.getDefaultInstance(), true)
                .thenApply(r -> new AuthStatusResponse(ClientMapping.toApi(r.getHeader()), r.getEnabled(), r.getAuthRevision()));
    }

    @Override
    public CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest.newBuilder()
                .setName(request.name()).setPassword(request.password()).build();
        return connection.unary(AuthGrpc.getAuthenticateMethod(), wire, true)
                .thenApply(r -> new AuthenticateResponse(ClientMapping.toApi(r.getHeader()), r.getToken()));
    }

    @Override
    public CompletableFuture<AuthUserAddResponse> userAdd(AuthUserAddRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserAddRequest.newBuilder()
                .setName(request.name()).setPassword(request.password()).setHashedPassword(request.hashedPassword())
                .setOptions(UserAddOptions.newBuilder().setNoPassword(request.noPassword())).build();
        return connection.unary(AuthGrpc.getUserAddMethod(), wire, false)
                .thenApply(r -> new AuthUserAddResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthUserGetResponse> userGet(AuthUserGetRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserGetRequest.newBuilder().setName(request.name()).build();
        return connection.unary(AuthGrpc.getUserGetMethod(), wire, true)
                .thenApply(r -> new AuthUserGetResponse(ClientMapping.toApi(r.getHeader()), r.getRolesList()));
    }

    @Override
    public CompletableFuture<AuthUserListResponse> userList() {
        return connection.unary(AuthGrpc.getUserListMethod(), AuthUserListRequest.getDefaultInstance(), true)
                .thenApply(r -> new AuthUserListResponse(ClientMapping.toApi(r.getHeader()), r.getUsersList()));
    }

    @Override
    public CompletableFuture<AuthUserDeleteResponse> userDelete(AuthUserDeleteRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserDeleteRequest.newBuilder().setName(request.name()).build();
        return connection.unary(AuthGrpc.getUserDeleteMethod(), wire, false)
                .thenApply(r -> new AuthUserDeleteResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(AuthUserChangePasswordRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserChangePasswordRequest.newBuilder()
                .setName(request.name()).setPassword(request.password()).setHashedPassword(request.hashedPassword()).build();
        return connection.unary(AuthGrpc.getUserChangePasswordMethod(), wire, false)
                .thenApply(r -> new AuthUserChangePasswordResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthUserGrantRoleResponse> userGrantRole(AuthUserGrantRoleRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleRequest.newBuilder()
                .setUser(request.user()).setRole(request.role()).build();
        return connection.unary(AuthGrpc.getUserGrantRoleMethod(), wire, false)
                .thenApply(r -> new AuthUserGrantRoleResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthUserRevokeRoleResponse> userRevokeRole(AuthUserRevokeRoleRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthUserRevokeRoleRequest.newBuilder()
                .setName(request.name()).setRole(request.role()).build();
        return connection.unary(AuthGrpc.getUserRevokeRoleMethod(), wire, false)
                .thenApply(r -> new AuthUserRevokeRoleResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthRoleAddResponse> roleAdd(AuthRoleAddRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddRequest.newBuilder().setName(request.name()).build();
        return connection.unary(AuthGrpc.getRoleAddMethod(), wire, false)
                .thenApply(r -> new AuthRoleAddResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthRoleGetResponse> roleGet(AuthRoleGetRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetRequest.newBuilder().setRole(request.role()).build();
        return connection.unary(AuthGrpc.getRoleGetMethod(), wire, true).thenApply(r -> {
            List<Permission> perms = new ArrayList<>(r.getPermCount());
            r.getPermList().forEach(p -> perms.add(ServiceMapping.toApi(p)));
            return new AuthRoleGetResponse(ClientMapping.toApi(r.getHeader()), perms);
        });
    }

    @Override
    public CompletableFuture<AuthRoleListResponse> roleList() {
        return connection.unary(AuthGrpc.getRoleListMethod(), AuthRoleListRequest.getDefaultInstance(), true)
                .thenApply(r -> new AuthRoleListResponse(ClientMapping.toApi(r.getHeader()), r.getRolesList()));
    }

    @Override
    public CompletableFuture<AuthRoleDeleteResponse> roleDelete(AuthRoleDeleteRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleDeleteRequest.newBuilder().setRole(request.role()).build();
        return connection.unary(AuthGrpc.getRoleDeleteMethod(), wire, false)
                .thenApply(r -> new AuthRoleDeleteResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthRoleGrantPermissionResponse> roleGrantPermission(AuthRoleGrantPermissionRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionRequest.newBuilder()
                .setName(request.name()).setPerm(ServiceMapping.toWire(request.perm())).build();
        return connection.unary(AuthGrpc.getRoleGrantPermissionMethod(), wire, false)
                .thenApply(r -> new AuthRoleGrantPermissionResponse(ClientMapping.toApi(r.getHeader())));
    }

    @Override
    public CompletableFuture<AuthRoleRevokePermissionResponse> roleRevokePermission(AuthRoleRevokePermissionRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleRevokePermissionRequest.newBuilder()
                .setRole(request.role()).setKey(KvMapping.toWire(request.key()))
                .setRangeEnd(KvMapping.toWire(request.rangeEnd())).build();
        return connection.unary(AuthGrpc.getRoleRevokePermissionMethod(), wire, false)
                .thenApply(r -> new AuthRoleRevokePermissionResponse(ClientMapping.toApi(r.getHeader())));
    }
}
