package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.concurrent.CompletableFuture;

/**
 * The auth service, as etcd's {@code Auth} gRPC service: users, roles and the key-range
 * permissions granted to roles, and the switch that turns checking on.
 *
 * <p>Identity: a {@link io.cairn.api.Cairn} connection acts as one user, fixed when the connection is
 * made (the remote client's credentials; for an embedded server, the embedding code's choice).
 * {@link #authenticate} only returns a token, as etcd's RPC does; it does not change the identity of
 * this connection.
 *
 * <p>Null arguments throw at once; methods are thread-safe and do not block; futures complete
 * exceptionally with a {@link io.cairn.api.CairnException} (for example
 * {@link io.cairn.api.ErrorCode#PERMISSION_DENIED}, {@link io.cairn.api.ErrorCode#USER_NOT_FOUND},
 * {@link io.cairn.api.ErrorCode#ROOT_USER_NOT_EXIST}).
 */
@Stable(since = "0.1")
public interface Auth {

    /** Turns authentication on; needs a {@code root} user with the {@code root} role. */
    CompletableFuture<AuthEnableResponse> authEnable();

    /** Turns authentication off. */
    CompletableFuture<AuthDisableResponse> authDisable();

    /** Whether authentication is on, and the auth store's revision. */
    CompletableFuture<AuthStatusResponse> authStatus();

    /** Checks a user's password and returns a token. */
    CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest request);

    /** Creates a user. */
    CompletableFuture<AuthUserAddResponse> userAdd(AuthUserAddRequest request);

    /** A user's roles. */
    CompletableFuture<AuthUserGetResponse> userGet(AuthUserGetRequest request);

    /** Every user. */
    CompletableFuture<AuthUserListResponse> userList();

    /** Deletes a user. */
    CompletableFuture<AuthUserDeleteResponse> userDelete(AuthUserDeleteRequest request);

    /** Changes a user's password. */
    CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(AuthUserChangePasswordRequest request);

    /** Grants a role to a user. */
    CompletableFuture<AuthUserGrantRoleResponse> userGrantRole(AuthUserGrantRoleRequest request);

    /** Takes a role from a user. */
    CompletableFuture<AuthUserRevokeRoleResponse> userRevokeRole(AuthUserRevokeRoleRequest request);

    /** Creates a role. */
    CompletableFuture<AuthRoleAddResponse> roleAdd(AuthRoleAddRequest request);

    /** A role's permissions. */
    CompletableFuture<AuthRoleGetResponse> roleGet(AuthRoleGetRequest request);

    /** Every role. */
    CompletableFuture<AuthRoleListResponse> roleList();

    /** Deletes a role. */
    CompletableFuture<AuthRoleDeleteResponse> roleDelete(AuthRoleDeleteRequest request);

    /** Grants a permission to a role. */
    CompletableFuture<AuthRoleGrantPermissionResponse> roleGrantPermission(AuthRoleGrantPermissionRequest request);

    /** Takes a permission from a role. */
    CompletableFuture<AuthRoleRevokePermissionResponse> roleRevokePermission(AuthRoleRevokePermissionRequest request);
}
