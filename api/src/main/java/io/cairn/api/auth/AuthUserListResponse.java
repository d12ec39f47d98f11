package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * Every user, as etcd's {@code AuthUserListResponse}.
 *
 * @param header the response header
 * @param users the user names; unmodifiable
 */
@Stable(since = "0.1")
public record AuthUserListResponse(ResponseHeader header, List<String> users) {

    /**
     * Copies {@code users}.
     *
     * @throws NullPointerException if {@code header}, {@code users} or an element is null
     */
    public AuthUserListResponse {
        Objects.requireNonNull(header, "header");
        users = Checks.copyOf(users, "users");
    }
}
