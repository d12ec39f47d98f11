package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.api.ResponseHeader;
import io.cairn.etcd.protocol.etcdserverpb.AuthDisableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthDisableResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthEnableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthEnableResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthGrpc;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleDeleteRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleDeleteResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleListRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleListResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthStatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthStatusResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserChangePasswordRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserChangePasswordResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserDeleteRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserDeleteResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGetRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGetResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserListRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserListResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserRevokeRoleRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserRevokeRoleResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateResponse;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code etcdserverpb.Auth} service on {@link Cairn#auth()}.
 * Each call acts as the caller its credentials name ({@link CallerIdentity}).
 */
final class AuthService extends AuthGrpc.AuthImplBase {

    private final Cairn cairn;

    AuthService(Cairn cairn) {
        this.cairn = cairn;
    }

    private static io.cairn.etcd.protocol.etcdserverpb.ResponseHeader header(ResponseHeader header) {
        return KvMapping.toWire(header);
    }

    @Override
    public void authEnable(AuthEnableRequest request, StreamObserver<AuthEnableResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.auth().authEnable(),
                a -> AuthEnableResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void authDisable(AuthDisableRequest request, StreamObserver<AuthDisableResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.auth().authDisable(),
                a -> AuthDisableResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void authStatus(AuthStatusRequest request, StreamObserver<AuthStatusResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.auth().authStatus(),
                a -> AuthStatusResponse.newBuilder().setHeader(header(a.header()))
                        .setEnabled(a.enabled()).setAuthRevision(a.authRevision()).build());
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().authenticate(new io.cairn.api.auth.AuthenticateRequest(request.getName(), request.getPassword())),
                a -> AuthenticateResponse.newBuilder().setHeader(header(a.header())).setToken(a.token()).build());
    }

    @Override
    public void userAdd(AuthUserAddRequest request, StreamObserver<AuthUserAddResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userAdd(new io.cairn.api.auth.AuthUserAddRequest(request.getName(),
                        request.getPassword(), request.getOptions().getNoPassword(), request.getHashedPassword())),
                a -> AuthUserAddResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void userGet(AuthUserGetRequest request, StreamObserver<AuthUserGetResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userGet(new io.cairn.api.auth.AuthUserGetRequest(request.getName())),
                a -> AuthUserGetResponse.newBuilder().setHeader(header(a.header())).addAllRoles(a.roles()).build());
    }

    @Override
    public void userList(AuthUserListRequest request, StreamObserver<AuthUserListResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.auth().userList(),
                a -> AuthUserListResponse.newBuilder().setHeader(header(a.header())).addAllUsers(a.users()).build());
    }

    @Override
    public void userDelete(AuthUserDeleteRequest request, StreamObserver<AuthUserDeleteResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userDelete(new io.cairn.api.auth.AuthUserDeleteRequest(request.getName())),
                a -> AuthUserDeleteResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void userChangePassword(AuthUserChangePasswordRequest request,
            StreamObserver<AuthUserChangePasswordResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userChangePassword(new io.cairn.api.auth.AuthUserChangePasswordRequest(
                        request.getName(), request.getPassword(), request.getHashedPassword())),
                a -> AuthUserChangePasswordResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void userGrantRole(AuthUserGrantRoleRequest request, StreamObserver<AuthUserGrantRoleResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userGrantRole(new io.cairn.api.auth.AuthUserGrantRoleRequest(request.getUser(), request.getRole())),
                a -> AuthUserGrantRoleResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void userRevokeRole(AuthUserRevokeRoleRequest request, StreamObserver<AuthUserRevokeRoleResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().userRevokeRole(new io.cairn.api.auth.AuthUserRevokeRoleRequest(request.getName(), request.getRole())),
                a -> AuthUserRevokeRoleResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void roleAdd(AuthRoleAddRequest request, StreamObserver<AuthRoleAddResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().roleAdd(new io.cairn.api.auth.AuthRoleAddRequest(request.getName())),
                a -> AuthRoleAddResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void roleGet(AuthRoleGetRequest request, StreamObserver<AuthRoleGetResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().roleGet(new io.cairn.api.auth.AuthRoleGetRequest(request.getRole())),
                a -> {
                    var wire = AuthRoleGetResponse.newBuilder().setHeader(header(a.header()));
                    a.perm().forEach(permission -> wire.addPerm(ServiceMapping.toWire(permission)));
                    return wire.build();
                });
    }

    @Override
    public void roleList(AuthRoleListRequest request, StreamObserver<AuthRoleListResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.auth().roleList(),
                a -> AuthRoleListResponse.newBuilder().setHeader(header(a.header())).addAllRoles(a.roles()).build());
    }

    @Override
    public void roleDelete(AuthRoleDeleteRequest request, StreamObserver<AuthRoleDeleteResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().roleDelete(new io.cairn.api.auth.AuthRoleDeleteRequest(request.getRole())),
                a -> AuthRoleDeleteResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void roleGrantPermission(AuthRoleGrantPermissionRequest request,
            StreamObserver<AuthRoleGrantPermissionResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().roleGrantPermission(new io.cairn.api.auth.AuthRoleGrantPermissionRequest(
                        request.getName(), ServiceMapping.toApi(request.getPerm()))),
                a -> AuthRoleGrantPermissionResponse.newBuilder().setHeader(header(a.header())).build());
    }

    @Override
    public void roleRevokePermission(AuthRoleRevokePermissionRequest request,
            StreamObserver<AuthRoleRevokePermissionResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.auth().roleRevokePermission(new io.cairn.api.auth.AuthRoleRevokePermissionRequest(
                        request.getRole(), KvMapping.toApi(request.getKey()), KvMapping.toApi(request.getRangeEnd()))),
                a -> AuthRoleRevokePermissionResponse.newBuilder().setHeader(header(a.header())).build());
    }
}
