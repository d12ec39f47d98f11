package io.cairn.api.lease;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link LeaseRevokeRequest}, as etcd's {@code LeaseRevokeResponse}.
 *
 * @param header the response header; its revision is the revision of the deletes
 */
@Stable(since = "0.1")
public record LeaseRevokeResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public LeaseRevokeResponse {
        Objects.requireNonNull(header, "header");
    }
}
