package io.cairn.api.kv;

import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link DeleteRangeRequest}, as etcd's {@code DeleteRangeResponse}.
 *
 * @param header the response header
 * @param deleted the number of keys deleted
 * @param prevKvs the deleted pairs, when the request asked for them; unmodifiable
 */
@Stable(since = "0.1")
public record DeleteRangeResponse(ResponseHeader header, long deleted, List<KeyValue> prevKvs) implements ResponseOp {

    /**
     * Copies {@code prevKvs}.
     *
     * @throws NullPointerException if {@code header}, {@code prevKvs} or an element is null
     * @throws IllegalArgumentException if {@code deleted} is negative
     */
    public DeleteRangeResponse {
        Objects.requireNonNull(header, "header");
        Checks.notNegative(deleted, "deleted");
        prevKvs = Checks.copyOf(prevKvs, "prevKvs");
    }
}
