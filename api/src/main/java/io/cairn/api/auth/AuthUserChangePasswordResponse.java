package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link AuthUserChangePasswordRequest}, as etcd's {@code AuthUserChangePasswordResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthUserChangePasswordResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthUserChangePasswordResponse {
        Objects.requireNonNull(header, "header");
    }
}
