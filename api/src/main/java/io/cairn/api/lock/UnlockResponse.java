package io.cairn.api.lock;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to an {@link UnlockRequest}, as etcd's {@code v3lockpb.UnlockResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record UnlockResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public UnlockResponse {
        Objects.requireNonNull(header, "header");
    }
}
