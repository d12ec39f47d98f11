package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A query of a role's permissions, as etcd's {@code AuthRoleGetRequest}.
 *
 * @param role the role; never null
 */
@Stable(since = "0.1")
public record AuthRoleGetRequest(String role) {

    /** @throws NullPointerException if a component is null */
    public AuthRoleGetRequest {
        Objects.requireNonNull(role, "role");
    }
}
