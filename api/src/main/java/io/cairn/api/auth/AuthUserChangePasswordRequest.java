package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to change a user's password, as etcd's {@code AuthUserChangePasswordRequest}.
 * {@link #toString()} hides the password and its hash.
 *
 * @param name the user; never null
 * @param password the new password; never null
 * @param hashedPassword the new password already hashed, instead of {@code password}; empty when
 *     not used; never null
 */
@Stable(since = "0.1")
public record AuthUserChangePasswordRequest(String name, String password, String hashedPassword) {

    /** @throws NullPointerException if a component is null */
    public AuthUserChangePasswordRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(hashedPassword, "hashedPassword");
    }

    /** A change to {@code password}. */
    public static AuthUserChangePasswordRequest of(String name, String password) {
        return new AuthUserChangePasswordRequest(name, password, "");
    }

    /** The user name, with the password hidden. */
    @Override
    public String toString() {
        return "AuthUserChangePasswordRequest[name=" + name + ", password=<hidden>, hashedPassword=<hidden>]";
    }
}
