package io.cairn.api.lease;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link LeaseGrantRequest}, as etcd's {@code LeaseGrantResponse}.
 *
 * @param header the response header
 * @param id the id of the granted lease
 * @param ttl the time to live the server chose, in seconds
 * @param error etcd's legacy error text; empty on success (errors are raised as exceptions); never null
 */
@Stable(since = "0.1")
public record LeaseGrantResponse(ResponseHeader header, long id, long ttl, String error) {

    /** @throws NullPointerException if {@code header} or {@code error} is null */
    public LeaseGrantResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(error, "error");
    }
}
