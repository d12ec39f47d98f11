package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to delete a role, as etcd's {@code AuthRoleDeleteRequest}.
 *
 * @param role the role; never null
 */
@Stable(since = "0.1")
public record AuthRoleDeleteRequest(String role) {

    /** @throws NullPointerException if a component is null */
    public AuthRoleDeleteRequest {
        Objects.requireNonNull(role, "role");
    }
}
