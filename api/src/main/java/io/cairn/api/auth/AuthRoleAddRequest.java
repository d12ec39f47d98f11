package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to create a role, as etcd's {@code AuthRoleAddRequest}.
 *
 * @param name the role; never null
 */
@Stable(since = "0.1")
public record AuthRoleAddRequest(String name) {

    /** @throws NullPointerException if a component is null */
    public AuthRoleAddRequest {
        Objects.requireNonNull(name, "name");
    }
}
