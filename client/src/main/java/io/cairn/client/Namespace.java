package io.cairn.client;

import com.google.protobuf.ByteString;
import io.cairn.etcd.protocol.etcdserverpb.Compare;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.ResponseOp;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnResponse;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.cairn.etcd.protocol.mvccpb.KeyValue;

/**
 * A key prefix applied to every key the KV and Watch services send, and taken off every key they
 * receive, as etcd's {@code clientv3/namespace} does: the caller sees a key space of its own.
 *
 * <p>Ranges: a range end of {@code "\0"} ("every key from the start key on") becomes the end of the
 * prefix, so a range never leaves the namespace; any other range end gets the prefix. An empty
 * prefix changes nothing. Lease, lock and election names are not prefixed (as in etcd's package,
 * which covers KV, Watch and Lease, whose messages carry no keys to prefix).
 */
final class Namespace {

    private final ByteString prefix;
    private final ByteString prefixEnd;

    Namespace(ByteString prefix) {
        this.prefix = prefix;
        this.prefixEnd = end(prefix);
    }

    boolean isEmpty() {
        return prefix.isEmpty();
    }

    private static ByteString end(ByteString prefix) {
        byte[] bytes = prefix.toByteArray();
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] != (byte) 0xFF) {
                byte[] end = java.util.Arrays.copyOf(bytes, i + 1);
                end[i]++;
                return ByteString.copyFrom(end);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    ByteString key(ByteString key) {
        return prefix.concat(key);
    }

    ByteString rangeEnd(ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            return rangeEnd;
        }
        if (rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0) {
            return prefixEnd;
        }
        return prefix.concat(rangeEnd);
    }

    ByteString strip(ByteString key) {
        return key.startsWith(prefix) ? key.substring(prefix.size()) : key;
    }

    // ---- requests ----

    RangeRequest apply(RangeRequest request) {
        return isEmpty() ? request : request.toBuilder().setKey(key(request.getKey()))
                .setRangeEnd(rangeEnd(request.getRangeEnd())).build();
    }

    PutRequest apply(PutRequest request) {
        return isEmpty() ? request : request.toBuilder().setKey(key(request.getKey())).build();
    }

    DeleteRangeRequest apply(DeleteRangeRequest request) {
        return isEmpty() ? request : request.toBuilder().setKey(key(request.getKey()))
                .setRangeEnd(rangeEnd(request.getRangeEnd())).build();
    }

    TxnRequest apply(TxnRequest request) {
        if (isEmpty()) {
            return request;
        }
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (Compare compare : request.getCompareList()) {
            txn.addCompare(compare.toBuilder().setKey(key(compare.getKey())).setRangeEnd(rangeEnd(compare.getRangeEnd())));
        }
        request.getSuccessList().forEach(op -> txn.addSuccess(apply(op)));
        request.getFailureList().forEach(op -> txn.addFailure(apply(op)));
        return txn.build();
    }

    private RequestOp apply(RequestOp op) {
        return switch (op.getRequestCase()) {
            case REQUEST_RANGE -> RequestOp.newBuilder().setRequestRange(apply(op.getRequestRange())).build();
            case REQUEST_PUT -> RequestOp.newBuilder().setRequestPut(apply(op.getRequestPut())).build();
            case REQUEST_DELETE_RANGE -> RequestOp.newBuilder().setRequestDeleteRange(apply(op.getRequestDeleteRange())).build();
            case REQUEST_TXN -> RequestOp.newBuilder().setRequestTxn(apply(op.getRequestTxn())).build();
            case REQUEST_NOT_SET -> op;
        };
    }

    WatchCreateRequest apply(WatchCreateRequest request) {
        return isEmpty() ? request : request.toBuilder().setKey(key(request.getKey()))
                .setRangeEnd(rangeEnd(request.getRangeEnd())).build();
    }

    // ---- responses ----

    private KeyValue strip(KeyValue kv) {
        return kv.toBuilder().setKey(strip(kv.getKey())).build();
    }

    RangeResponse strip(RangeResponse response) {
        if (isEmpty() || response.getKvsCount() == 0) {
            return response;
        }
        RangeResponse.Builder stripped = response.toBuilder().clearKvs();
        response.getKvsList().forEach(kv -> stripped.addKvs(strip(kv)));
        return stripped.build();
    }

    PutResponse strip(PutResponse response) {
        return isEmpty() || !response.hasPrevKv() ? response : response.toBuilder().setPrevKv(strip(response.getPrevKv())).build();
    }

    DeleteRangeResponse strip(DeleteRangeResponse response) {
        if (isEmpty() || response.getPrevKvsCount() == 0) {
            return response;
        }
        DeleteRangeResponse.Builder stripped = response.toBuilder().clearPrevKvs();
        response.getPrevKvsList().forEach(kv -> stripped.addPrevKvs(strip(kv)));
        return stripped.build();
    }

    TxnResponse strip(TxnResponse response) {
        if (isEmpty()) {
            return response;
        }
        TxnResponse.Builder stripped = response.toBuilder().clearResponses();
        for (ResponseOp op : response.getResponsesList()) {
            stripped.addResponses(switch (op.getResponseCase()) {
                case RESPONSE_RANGE -> ResponseOp.newBuilder().setResponseRange(strip(op.getResponseRange())).build();
                case RESPONSE_PUT -> ResponseOp.newBuilder().setResponsePut(strip(op.getResponsePut())).build();
                case RESPONSE_DELETE_RANGE ->
                        ResponseOp.newBuilder().setResponseDeleteRange(strip(op.getResponseDeleteRange())).build();
                case RESPONSE_TXN -> ResponseOp.newBuilder().setResponseTxn(strip(op.getResponseTxn())).build();
                case RESPONSE_NOT_SET -> op;
            });
        }
        return stripped.build();
    }

    WatchResponse strip(WatchResponse response) {
        if (isEmpty() || response.getEventsCount() == 0) {
            return response;
        }
        WatchResponse.Builder stripped = response.toBuilder().clearEvents();
        for (Event event : response.getEventsList()) {
            Event.Builder e = event.toBuilder().setKv(strip(event.getKv()));
            if (event.hasPrevKv()) {
                e.setPrevKv(strip(event.getPrevKv()));
            }
            stripped.addEvents(e);
        }
        return stripped.build();
    }
}
