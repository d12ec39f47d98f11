package io.cairn.api.kv;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The answer to a {@link CompactionRequest}, as etcd's {@code CompactionResponse}.
 *
 * @param header the response header
 */
@Stable(since = "0.1")
public record CompactionResponse(ResponseHeader header) {

    /** @throws NullPointerException if {@code header} is null */
    public CompactionResponse {
        Objects.requireNonNull(header, "header");
    }
}
