package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to take a role from a user, as etcd's {@code AuthUserRevokeRoleRequest}.
 *
 * @param name the user; never null
 * @param role the role to take away; never null
 */
@Stable(since = "0.1")
public record AuthUserRevokeRoleRequest(String name, String role) {

    /** @throws NullPointerException if a component is null */
    public AuthUserRevokeRoleRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
