package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to disabling authentication, as etcd's {@code AuthDisableResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthDisableResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthDisableResponse {
        Objects.requireNonNull(header, "header");
    }
}
