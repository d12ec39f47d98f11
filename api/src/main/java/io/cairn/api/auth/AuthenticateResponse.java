package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * An auth token, as etcd's {@code AuthenticateResponse}. {@link #toString()} hides the token.
 *
 * @param header the response header
 * @param token the token that later requests present (over the wire, in the {@code token} metadata);
 *     never null
 */
@Stable(since = "0.1")
public record AuthenticateResponse(ResponseHeader header, String token) {

    /** @throws NullPointerException if a component is null */
    public AuthenticateResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(token, "token");
    }

    /** The header, with the token hidden. */
    @Override
    public String toString() {
        return "AuthenticateResponse[header=" + header + ", token=<hidden>]";
    }
}
