package io.cairn.api.lease;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * Every lease that exists, as etcd's {@code LeaseLeasesResponse}.
 *
 * @param header the response header
 * @param leases the leases; unmodifiable
 */
@Stable(since = "0.1")
public record LeaseLeasesResponse(ResponseHeader header, List<LeaseStatus> leases) {

    /**
     * Copies {@code leases}.
     *
     * @throws NullPointerException if {@code header}, {@code leases} or an element is null
     */
    public LeaseLeasesResponse {
        Objects.requireNonNull(header, "header");
        leases = Checks.copyOf(leases, "leases");
    }
}
