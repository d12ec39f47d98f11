package io.cairn.api.kv;

import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link RangeRequest}, as etcd's {@code RangeResponse}.
 *
 * @param header the response header; never null
 * @param kvs the keys found, in the requested order; empty for a count-only request; unmodifiable
 * @param more whether the range holds more keys than {@code kvs} (the limit cut it short)
 * @param count the number of keys in the range, unaffected by the limit and the revision filters
 */
@Stable(since = "0.1")
public record RangeResponse(ResponseHeader header, List<KeyValue> kvs, boolean more, long count)
        implements ResponseOp {

    /**
     * Copies {@code kvs}.
     *
     * @throws NullPointerException if {@code header}, {@code kvs} or an element is null
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public RangeResponse {
        Objects.requireNonNull(header, "header");
        kvs = Checks.copyOf(kvs, "kvs");
        Checks.notNegative(count, "count");
    }
}
