package io.cairn.etcd.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.StatusCode;
import io.cairn.etcd.protocol.etcdserverpb.CompactionRequest;
import io.cairn.etcd.protocol.etcdserverpb.CompactionResponse;
import io.cairn.etcd.protocol.etcdserverpb.Compare;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.ResponseHeader;
import io.cairn.etcd.protocol.etcdserverpb.ResponseOp;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnResponse;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.cairn.etcd.protocol.mvccpb.KeyValue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Maps etcd's wire messages of the KV and Watch services (and the types every service shares) to
 * the api records and back: {@code toApi} decodes a request, {@code toWire} encodes a response.
 *
 * <p>Bytes: {@code api → wire} wraps the {@link Bytes}' array without copying
 * ({@link Bytes#asReadOnlyByteBuffer()} under {@link UnsafeByteOperations#unsafeWrap}, safe because
 * {@code Bytes} never changes). {@code wire → api} copies once: a {@code Bytes} owns its array, and
 * the parsed {@link ByteString} may share the receive buffer, so no copy-free way exists (the
 * copy goes from the read-only view straight into the new array, never through a second one).
 *
 * <p>Numbers: negative limits and revisions from the wire become 0, which is what etcd makes of
 * them and what the api records accept (they refuse negatives). Values etcd rejects in its gRPC
 * layer (unknown sort options) are rejected here with etcd's error. Everything else etcd checks
 * (empty keys, too many txn operations, ...) is left to the {@link io.cairn.api.Cairn} served.
 */
public final class KvMapping {

    private KvMapping() {}

    // ---- shared ----

    public static Bytes toApi(ByteString bytes) {
        return bytes.isEmpty() ? Bytes.EMPTY : Bytes.of(bytes.asReadOnlyByteBuffer());
    }

    public static ByteString toWire(Bytes bytes) {
        return bytes.isEmpty() ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes.asReadOnlyByteBuffer());
    }

    /** etcd treats a negative limit or revision as 0 ("none" / "newest"). */
    public static long atLeastZero(long wireValue) {
        return Math.max(0, wireValue);
    }

    public static ResponseHeader toWire(io.cairn.api.ResponseHeader header) {
        return ResponseHeader.newBuilder()
                .setClusterId(header.clusterId())
                .setMemberId(header.memberId())
                .setRevision(header.revision())
                .setRaftTerm(header.raftTerm())
                .build();
    }

    public static KeyValue toWire(io.cairn.api.KeyValue kv) {
        return KeyValue.newBuilder()
                .setKey(toWire(kv.key()))
                .setCreateRevision(kv.createRevision())
                .setModRevision(kv.modRevision())
                .setVersion(kv.version())
                .setValue(toWire(kv.value()))
                .setLease(kv.lease())
                .build();
    }

    public static io.cairn.api.KeyValue toApi(KeyValue kv) {
        return new io.cairn.api.KeyValue(toApi(kv.getKey()), atLeastZero(kv.getCreateRevision()),
                atLeastZero(kv.getModRevision()), atLeastZero(kv.getVersion()), toApi(kv.getValue()), kv.getLease());
    }

    private static List<KeyValue> toWire(List<io.cairn.api.KeyValue> kvs) {
        List<KeyValue> wire = new ArrayList<>(kvs.size());
        for (io.cairn.api.KeyValue kv : kvs) {
            wire.add(toWire(kv));
        }
        return wire;
    }

    // ---- KV requests ----

    public static io.cairn.api.kv.RangeRequest toApi(RangeRequest request) {
        return new io.cairn.api.kv.RangeRequest(
                toApi(request.getKey()),
                toApi(request.getRangeEnd()),
                atLeastZero(request.getLimit()),
                atLeastZero(request.getRevision()),
                switch (request.getSortOrder()) {
                    case NONE -> io.cairn.api.kv.RangeRequest.SortOrder.NONE;
                    case ASCEND -> io.cairn.api.kv.RangeRequest.SortOrder.ASCEND;
                    case DESCEND -> io.cairn.api.kv.RangeRequest.SortOrder.DESCEND;
                    case UNRECOGNIZED -> throw new CairnException(ErrorCode.INVALID_SORT_OPTION);
                },
                switch (request.getSortTarget()) {
                    case KEY -> io.cairn.api.kv.RangeRequest.SortTarget.KEY;
                    case VERSION -> io.cairn.api.kv.RangeRequest.SortTarget.VERSION;
                    case CREATE -> io.cairn.api.kv.RangeRequest.SortTarget.CREATE;
                    case MOD -> io.cairn.api.kv.RangeRequest.SortTarget.MOD;
                    case VALUE -> io.cairn.api.kv.RangeRequest.SortTarget.VALUE;
                    case UNRECOGNIZED -> throw new CairnException(ErrorCode.INVALID_SORT_OPTION);
                },
                request.getSerializable(),
                request.getKeysOnly(),
                request.getCountOnly(),
                // NB: etcd drops every key for a negative max bound; the api has no way to say that, so
                // a negative bound becomes "unbounded" like the other negatives.
                atLeastZero(request.getMinModRevision()),
                atLeastZero(request.getMaxModRevision()),
                atLeastZero(request.getMinCreateRevision()),
                atLeastZero(request.getMaxCreateRevision()));
    }

    public static io.cairn.api.kv.PutRequest toApi(PutRequest request) {
        return new io.cairn.api.kv.PutRequest(toApi(request.getKey()), toApi(request.getValue()), request.getLease(),
                request.getPrevKv(), request.getIgnoreValue(), request.getIgnoreLease());
    }

    public static io.cairn.api.kv.DeleteRangeRequest toApi(DeleteRangeRequest request) {
        return new io.cairn.api.kv.DeleteRangeRequest(toApi(request.getKey()), toApi(request.getRangeEnd()),
                request.getPrevKv());
    }

    public static io.cairn.api.kv.CompactionRequest toApi(CompactionRequest request) {
        return new io.cairn.api.kv.CompactionRequest(atLeastZero(request.getRevision()), request.getPhysical());
    }

    public static io.cairn.api.kv.TxnRequest toApi(TxnRequest request) {
        List<io.cairn.api.kv.Compare> compares = new ArrayList<>(request.getCompareCount());
        for (Compare compare : request.getCompareList()) {
            compares.add(toApi(compare));
        }
        return new io.cairn.api.kv.TxnRequest(compares, toApi(request.getSuccessList()), toApi(request.getFailureList()));
    }

    private static List<io.cairn.api.kv.RequestOp> toApi(List<RequestOp> ops) {
        List<io.cairn.api.kv.RequestOp> api = new ArrayList<>(ops.size());
        for (RequestOp op : ops) {
            api.add(switch (op.getRequestCase()) {
                case REQUEST_RANGE -> toApi(op.getRequestRange());
                case REQUEST_PUT -> toApi(op.getRequestPut());
                case REQUEST_DELETE_RANGE -> toApi(op.getRequestDeleteRange());
                case REQUEST_TXN -> toApi(op.getRequestTxn());
                // etcd's apply skips an empty op and answers it with an empty ResponseOp; the api has no
                // empty op, so it is refused rather than silently dropped.
                case REQUEST_NOT_SET -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                        "cairn: a txn operation has no request set");
            });
        }
        return api;
    }

    /**
     * etcd reads the operand through the getter of the target's union member, which yields 0 (or
     * empty) when the union holds another member; the same here, so a mismatch compares with 0.
     */
    public static io.cairn.api.kv.Compare toApi(Compare compare) {
        io.cairn.api.kv.Compare.Result result = switch (compare.getResult()) {
            case EQUAL -> io.cairn.api.kv.Compare.Result.EQUAL;
            case GREATER -> io.cairn.api.kv.Compare.Result.GREATER;
            case LESS -> io.cairn.api.kv.Compare.Result.LESS;
            case NOT_EQUAL -> io.cairn.api.kv.Compare.Result.NOT_EQUAL;
            case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                    "cairn: unknown compare result " + compare.getResultValue());
        };
        io.cairn.api.kv.Compare.Target target = switch (compare.getTarget()) {
            case VERSION -> io.cairn.api.kv.Compare.Target.VERSION;
            case CREATE -> io.cairn.api.kv.Compare.Target.CREATE;
            case MOD -> io.cairn.api.kv.Compare.Target.MOD;
            case VALUE -> io.cairn.api.kv.Compare.Target.VALUE;
            case LEASE -> io.cairn.api.kv.Compare.Target.LEASE;
            case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                    "cairn: unknown compare target " + compare.getTargetValue());
        };
        long number = switch (target) {
            case VERSION -> compare.getVersion();
            case CREATE -> compare.getCreateRevision();
            case MOD -> compare.getModRevision();
            case LEASE -> compare.getLease();
            case VALUE -> 0;
        };
        Bytes value = target == io.cairn.api.kv.Compare.Target.VALUE ? toApi(compare.getValue()) : Bytes.EMPTY;
        return new io.cairn.api.kv.Compare(result, target, toApi(compare.getKey()), toApi(compare.getRangeEnd()),
                number, value);
    }

    // ---- KV responses ----

    public static RangeResponse toWire(io.cairn.api.kv.RangeResponse response) {
        return RangeResponse.newBuilder()
                .setHeader(toWire(response.header()))
                .addAllKvs(toWire(response.kvs()))
                .setMore(response.more())
                .setCount(response.count())
                .build();
    }

    public static PutResponse toWire(io.cairn.api.kv.PutResponse response) {
        PutResponse.Builder wire = PutResponse.newBuilder().setHeader(toWire(response.header()));
        response.prevKv().ifPresent(kv -> wire.setPrevKv(toWire(kv)));
        return wire.build();
    }

    public static DeleteRangeResponse toWire(io.cairn.api.kv.DeleteRangeResponse response) {
        return DeleteRangeResponse.newBuilder()
                .setHeader(toWire(response.header()))
                .setDeleted(response.deleted())
                .addAllPrevKvs(toWire(response.prevKvs()))
                .build();
    }

    public static CompactionResponse toWire(io.cairn.api.kv.CompactionResponse response) {
        return CompactionResponse.newBuilder().setHeader(toWire(response.header())).build();
    }

    public static TxnResponse toWire(io.cairn.api.kv.TxnResponse response) {
        TxnResponse.Builder wire = TxnResponse.newBuilder()
                .setHeader(toWire(response.header()))
                .setSucceeded(response.succeeded());
        for (io.cairn.api.kv.ResponseOp op : response.responses()) {
            wire.addResponses(switch (op) {
                case io.cairn.api.kv.RangeResponse range -> ResponseOp.newBuilder().setResponseRange(toWire(range));
                case io.cairn.api.kv.PutResponse put -> ResponseOp.newBuilder().setResponsePut(toWire(put));
                case io.cairn.api.kv.DeleteRangeResponse delete ->
                        ResponseOp.newBuilder().setResponseDeleteRange(toWire(delete));
                case io.cairn.api.kv.TxnResponse txn -> ResponseOp.newBuilder().setResponseTxn(toWire(txn));
            });
        }
        return wire.build();
    }

    // ---- Watch ----

    /**
     * etcd's watch server turns an empty key into {@code "\0"} (the smallest key) before creating the
     * watcher; the same here. A negative start revision becomes 0 ("from the next change"). A negative
     * watch id has no meaning in etcd's protocol (-1 marks "no watcher" in responses) and is refused.
     */
    public static io.cairn.api.watch.WatchCreateRequest toApi(WatchCreateRequest request) {
        if (request.getWatchId() < 0) {
            throw new CairnException(StatusCode.INVALID_ARGUMENT,
                    "cairn: watch_id must not be negative, got " + request.getWatchId());
        }
        Set<io.cairn.api.watch.WatchCreateRequest.Filter> filters =
                EnumSet.noneOf(io.cairn.api.watch.WatchCreateRequest.Filter.class);
        for (int i = 0; i < request.getFiltersCount(); i++) {
            filters.add(switch (request.getFilters(i)) {
                case NOPUT -> io.cairn.api.watch.WatchCreateRequest.Filter.NOPUT;
                case NODELETE -> io.cairn.api.watch.WatchCreateRequest.Filter.NODELETE;
                case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                        "cairn: unknown watch filter " + request.getFiltersValue(i));
            });
        }
        Bytes key = request.getKey().isEmpty() ? Bytes.NUL : toApi(request.getKey());
        return new io.cairn.api.watch.WatchCreateRequest(key, toApi(request.getRangeEnd()),
                atLeastZero(request.getStartRevision()), request.getProgressNotify(), filters, request.getPrevKv(),
                request.getWatchId(), request.getFragment());
    }

    public static WatchResponse toWire(io.cairn.api.watch.WatchResponse response) {
        WatchResponse.Builder wire = WatchResponse.newBuilder()
                .setHeader(toWire(response.header()))
                .setWatchId(response.watchId())
                .setCreated(response.created())
                .setCanceled(response.canceled())
                .setCompactRevision(response.compactRevision())
                .setCancelReason(response.cancelReason())
                .setFragment(response.fragment());
        for (io.cairn.api.watch.Event event : response.events()) {
            wire.addEvents(toWire(event));
        }
        return wire.build();
    }

    public static Event toWire(io.cairn.api.watch.Event event) {
        Event.Builder wire = Event.newBuilder()
                .setType(switch (event.type()) {
                    case PUT -> Event.EventType.PUT;
                    case DELETE -> Event.EventType.DELETE;
                })
                .setKv(toWire(event.kv()));
        event.prevKv().ifPresent(kv -> wire.setPrevKv(toWire(kv)));
        return wire.build();
    }
}
