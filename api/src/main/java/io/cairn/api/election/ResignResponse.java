package io.cairn.api.election;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link ResignRequest}, as etcd's {@code v3electionpb.ResignResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record ResignResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public ResignResponse {
        Objects.requireNonNull(header, "header");
    }
}
