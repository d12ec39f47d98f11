package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to delete a user, as etcd's {@code AuthUserDeleteRequest}.
 *
 * @param name the user; never null
 */
@Stable(since = "0.1")
public record AuthUserDeleteRequest(String name) {

    /** @throws NullPointerException if a component is null */
    public AuthUserDeleteRequest {
        Objects.requireNonNull(name, "name");
    }
}
