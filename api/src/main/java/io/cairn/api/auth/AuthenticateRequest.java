package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request for an auth token, as etcd's {@code AuthenticateRequest}. {@link #toString()} hides the
 * password so it never reaches a log.
 *
 * @param name the user; never null
 * @param password the user's password; never null
 */
@Stable(since = "0.1")
public record AuthenticateRequest(String name, String password) {

    /** @throws NullPointerException if a component is null */
    public AuthenticateRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
    }

    /** The user name, with the password hidden. */
    @Override
    public String toString() {
        return "AuthenticateRequest[name=" + name + ", password=<hidden>]";
    }
}
