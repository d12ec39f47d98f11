package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthUserDeleteRequest}, as etcd's {@code AuthUserDeleteResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthUserDeleteResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthUserDeleteResponse {
        Objects.requireNonNull(header, "header");
    }
}
