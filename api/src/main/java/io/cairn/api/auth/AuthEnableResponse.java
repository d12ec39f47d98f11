package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to enabling authentication, as etcd's {@code AuthEnableResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record AuthEnableResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthEnableResponse {
        Objects.requireNonNull(header, "header");
    }
}
