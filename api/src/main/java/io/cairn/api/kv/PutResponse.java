package io.cairn.api.kv;

import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a {@link PutRequest}, as etcd's {@code PutResponse}.
 *
 * @param header the response header; its revision is the revision of the put
 * @param prevKv the key-value pair before the put, when the request asked for it and the key existed
 */
@Stable(since = "0.1")
public record PutResponse(ResponseHeader header, Optional<KeyValue> prevKv) implements ResponseOp {

    /** @throws NullPointerException if a component is null */
    public PutResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(prevKv, "prevKv");
    }
}
