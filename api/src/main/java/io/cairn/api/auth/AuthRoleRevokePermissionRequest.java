package io.cairn.api.auth;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to take a permission from a role, as etcd's {@code AuthRoleRevokePermissionRequest}:
 * the permission on exactly {@code [key, rangeEnd)} is removed, whatever its type.
 *
 * @param role the role; never null
 * @param key the permission's key; never null
 * @param rangeEnd the permission's range end; empty for a single key; never null
 */
@Stable(since = "0.1")
public record AuthRoleRevokePermissionRequest(String role, Bytes key, Bytes rangeEnd) {

    /** @throws NullPointerException if a component is null */
    public AuthRoleRevokePermissionRequest {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
    }
}
