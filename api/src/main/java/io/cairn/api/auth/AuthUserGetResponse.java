package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * A user's roles, as etcd's {@code AuthUserGetResponse}.
 *
 * @param header the response header
 * @param roles the roles granted to the user; unmodifiable
 */
@Stable(since = "0.1")
public record AuthUserGetResponse(ResponseHeader header, List<String> roles) {

    /**
     * Copies {@code roles}.
     *
     * @throws NullPointerException if {@code header}, {@code roles} or an element is null
     */
    public AuthUserGetResponse {
        Objects.requireNonNull(header, "header");
        roles = Checks.copyOf(roles, "roles");
    }
}
