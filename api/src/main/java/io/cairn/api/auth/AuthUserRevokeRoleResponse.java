package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthUserRevokeRoleRequest}, as etcd's {@code AuthUserRevokeRoleResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthUserRevokeRoleResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthUserRevokeRoleResponse {
        Objects.requireNonNull(header, "header");
    }
}
