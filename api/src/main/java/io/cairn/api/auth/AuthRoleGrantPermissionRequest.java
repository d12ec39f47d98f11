package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to grant a permission to a role, as etcd's {@code AuthRoleGrantPermissionRequest}.
 *
 * @param name the role; never null
 * @param perm the permission; never null
 */
@Stable(since = "0.1")
public record AuthRoleGrantPermissionRequest(String name, Permission perm) {

    /** @throws NullPointerException if a component is null */
    public AuthRoleGrantPermissionRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(perm, "perm");
    }
}
