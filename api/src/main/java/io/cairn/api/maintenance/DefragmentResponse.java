package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a defragmentation, as etcd's {@code DefragmentResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record DefragmentResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public DefragmentResponse {
        Objects.requireNonNull(header, "header");
    }
}
