package io.cairn.api.kv;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

/**
 * The result of one {@link RequestOp} in a transaction, as etcd's {@code ResponseOp} union. Inside a
 * transaction every header is the transaction's header.
 */
@Stable(since = "0.1")
public sealed interface ResponseOp permits RangeResponse, PutResponse, DeleteRangeResponse, TxnResponse {

    /** The response header; never null. */
    ResponseHeader header();
}
