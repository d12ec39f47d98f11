package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * Whether authentication is on, as etcd's {@code AuthStatusResponse}.
 *
 * @param header the response header
 * @param enabled whether authentication is enabled
 * @param authRevision the revision of the auth store (unsigned on the wire), which every change
 *     of users, roles or permissions increases
 */
@Stable(since = "0.1")
public record AuthStatusResponse(ResponseHeader header, boolean enabled, long authRevision) {

    /** @throws NullPointerException if {@code header} is null */
    public AuthStatusResponse {
        Objects.requireNonNull(header, "header");
    }
}
