package io.cairn.api.auth;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A request to create a user, as etcd's {@code AuthUserAddRequest}. {@link #toString()} hides the
 * password and its hash.
 *
 * @param name the user; never null (an empty name is refused by the server with
 *     {@link io.cairn.api.ErrorCode#USER_EMPTY})
 * @param password the password; empty with {@code noPassword}; never null
 * @param noPassword create a user that cannot authenticate with a password (etcd's
 *     {@code UserAddOptions.no_password}), for certificate-based identities
 * @param hashedPassword the password already hashed by the caller, instead of {@code password};
 *     empty when not used; never null
 */
@Stable(since = "0.1")
public record AuthUserAddRequest(String name, String password, boolean noPassword, String hashedPassword) {

    /** @throws NullPointerException if a component is null */
    public AuthUserAddRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(hashedPassword, "hashedPassword");
    }

    /** A user who authenticates with {@code password}. */
    public static AuthUserAddRequest withPassword(String name, String password) {
        return new AuthUserAddRequest(name, password, false, "");
    }

    /** A user without a password. */
    public static AuthUserAddRequest withoutPassword(String name) {
        return new AuthUserAddRequest(name, "", true, "");
    }

    /** The user name and options, with the password hidden. */
    @Override
    public String toString() {
        return "AuthUserAddRequest[name=" + name + ", password=<hidden>, noPassword=" + noPassword
                + ", hashedPassword=<hidden>]";
    }
}
