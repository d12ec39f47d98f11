package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthUserAddRequest}, as etcd's {@code AuthUserAddResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthUserAddResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthUserAddResponse {
        Objects.requireNonNull(header, "header");
    }
}
