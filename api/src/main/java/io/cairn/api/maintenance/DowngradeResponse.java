package io.cairn.api.maintenance;

import io.cairn.api.Experimental;
import io.cairn.api.ResponseHeader;

import java.util.Objects;

/**
 * The answer to a {@link DowngradeRequest}, as etcd's {@code DowngradeResponse}.
 *
 * @param header the response header
 * @param version the cluster version; never null
 */
@Experimental("Cairn has no older versions to downgrade to yet")
public record DowngradeResponse(ResponseHeader header, String version) {

    /** @throws NullPointerException if a component is null */
    public DowngradeResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(version, "version");
    }
}
