package io.cairn.server.mvcc;

import io.cairn.api.ResponseHeader;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnResponse;

/** Response rewriting: inside a transaction every header is the transaction's (as the API documents). */
final class Responses {

    /** A header for responses built before the write's revision is known; always restamped. */
    static final ResponseHeader PENDING = new ResponseHeader(0, 0, 0, 0);

    private Responses() {}

    static ResponseOp restamp(ResponseOp response, ResponseHeader header) {
        return switch (response) {
            case RangeResponse r -> new RangeResponse(header, r.kvs(), r.more(), r.count());
            case PutResponse p -> new PutResponse(header, p.prevKv());
            case DeleteRangeResponse d -> new DeleteRangeResponse(header, d.deleted(), d.prevKvs());
            case TxnResponse t -> new TxnResponse(header, t.succeeded(),
                    t.responses().stream().map(op -> restamp(op, header)).toList());
        };
    }
}
