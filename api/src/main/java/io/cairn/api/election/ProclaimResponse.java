package io.cairn.api.election;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link ProclaimRequest}, as etcd's {@code v3electionpb.ProclaimResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record ProclaimResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public ProclaimResponse {
        Objects.requireNonNull(header, "header");
    }
}
