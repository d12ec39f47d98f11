package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to grant a role to a user, as etcd's {@code AuthUserGrantRoleRequest}.
 *
 * @param user the user; never null
 * @param role the role to grant; never null
 */
@Stable(since = "0.1")
public record AuthUserGrantRoleRequest(String user, String role) {

    /** @throws NullPointerException if a component is null */
    public AuthUserGrantRoleRequest {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
    }
}
