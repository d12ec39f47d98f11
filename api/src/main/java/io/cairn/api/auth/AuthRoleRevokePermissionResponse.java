package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthRoleRevokePermissionRequest}, as etcd's {@code AuthRoleRevokePermissionResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthRoleRevokePermissionResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthRoleRevokePermissionResponse {
        Objects.requireNonNull(header, "header");
    }
}
