package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A query of a user's roles, as etcd's {@code AuthUserGetRequest}.
 *
 * @param name the user; never null
 */
@Stable(since = "0.1")
public record AuthUserGetRequest(String name) {

    /** @throws NullPointerException if a component is null */
    public AuthUserGetRequest {
        Objects.requireNonNull(name, "name");
    }
}
