package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * Every role, as etcd's {@code AuthRoleListResponse}.
 *
 * @param header the response header
 * @param roles the role names; unmodifiable
 */
@Stable(since = "0.1")
public record AuthRoleListResponse(ResponseHeader header, List<String> roles) {

    /**
     * Copies {@code roles}.
     *
     * @throws NullPointerException if {@code header}, {@code roles} or an element is null
     */
    public AuthRoleListResponse {
        Objects.requireNonNull(header, "header");
        roles = Checks.copyOf(roles, "roles");
    }
}
