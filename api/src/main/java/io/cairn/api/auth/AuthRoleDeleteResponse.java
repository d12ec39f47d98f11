package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthRoleDeleteRequest}, as etcd's {@code AuthRoleDeleteResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthRoleDeleteResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthRoleDeleteResponse {
        Objects.requireNonNull(header, "header");
    }
}
