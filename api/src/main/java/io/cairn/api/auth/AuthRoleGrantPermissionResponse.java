package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthRoleGrantPermissionRequest}, as etcd's {@code AuthRoleGrantPermissionResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthRoleGrantPermissionResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthRoleGrantPermissionResponse {
        Objects.requireNonNull(header, "header");
    }
}
