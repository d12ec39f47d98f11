package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthRoleAddRequest}, as etcd's {@code AuthRoleAddResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthRoleAddResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthRoleAddResponse {
        Objects.requireNonNull(header, "header");
    }
}
