package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link MoveLeaderRequest}, as etcd's {@code MoveLeaderResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record MoveLeaderResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public MoveLeaderResponse {
        Objects.requireNonNull(header, "header");
    }
}
