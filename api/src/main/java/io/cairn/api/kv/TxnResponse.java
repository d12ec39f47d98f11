package io.cairn.api.kv;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link TxnRequest}, as etcd's {@code TxnResponse}.
 *
 * @param header the response header; its revision is the transaction's
 * @param succeeded whether the guard held (so the success branch ran)
 * @param responses one response per operation of the branch that ran, in order; unmodifiable
 */
@Stable(since = "0.1")
public record TxnResponse(ResponseHeader header, boolean succeeded, List<ResponseOp> responses) implements ResponseOp {

    /**
     * Copies {@code responses}.
     *
     * @throws NullPointerException if {@code header}, {@code responses} or an element is null
     */
    public TxnResponse {
        Objects.requireNonNull(header, "header");
        responses = Checks.copyOf(responses, "responses");
    }
}
