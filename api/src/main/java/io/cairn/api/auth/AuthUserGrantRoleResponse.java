package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthUserGrantRoleRequest}, as etcd's {@code AuthUserGrantRoleResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthUserGrantRoleResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthUserGrantRoleResponse {
        Objects.requireNonNull(header, "header");
    }
}
