package io.cairn.api.auth;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * A role's permissions, as etcd's {@code AuthRoleGetResponse}.
 *
 * @param header the response header
 * @param perm the permissions granted to the role; unmodifiable
 */
@Stable(since = "0.1")
public record AuthRoleGetResponse(ResponseHeader header, List<Permission> perm) {

    /**
     * Copies {@code perm}.
     *
     * @throws NullPointerException if {@code header}, {@code perm} or an element is null
     */
    public AuthRoleGetResponse {
        Objects.requireNonNull(header, "header");
        perm = Checks.copyOf(perm, "perm");
    }
}
