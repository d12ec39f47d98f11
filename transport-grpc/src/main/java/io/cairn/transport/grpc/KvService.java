package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.KvMapping;
import com.google.protobuf.MessageLite;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.etcd.protocol.etcdserverpb.CompactionRequest;
import io.cairn.etcd.protocol.etcdserverpb.CompactionResponse;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnResponse;
import io.grpc.stub.StreamObserver;

/** etcd's {@code etcdserverpb.KV} service on {@link Cairn#kv()}. */
final class KvService extends KVGrpc.KVImplBase {

    private final Cairn cairn;
    private final int maxRequestBytes;

    KvService(Cairn cairn, int maxRequestBytes) {
        this.cairn = cairn;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * etcd refuses a proposal whose encoded request exceeds {@code --max-request-bytes} with
     * "etcdserver: request is too large"; gRPC itself reads up to that plus etcd's 512 KiB overhead
     * (see {@link GrpcClientEndpoint#GRPC_OVERHEAD_BYTES}). The same two steps here, for the requests
     * that write (the ones etcd proposes through Raft). etcd measures its internal Raft request, a few
     * bytes larger than the client's message; the client's message is measured here.
     */
    static void checkSize(MessageLite request, int maxRequestBytes) {
        if (request.getSerializedSize() > maxRequestBytes) {
            throw new CairnException(ErrorCode.REQUEST_TOO_LARGE);
        }
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.kv().range(KvMapping.toApi(request)), KvMapping::toWire);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            checkSize(request, maxRequestBytes);
            return cairn.kv().put(KvMapping.toApi(request));
        }, KvMapping::toWire);
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            checkSize(request, maxRequestBytes);
            return cairn.kv().deleteRange(KvMapping.toApi(request));
        }, KvMapping::toWire);
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> responses) {
        UnaryCalls.answer(responses, () -> {
            checkSize(request, maxRequestBytes);
            return cairn.kv().txn(KvMapping.toApi(request));
        }, KvMapping::toWire);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> responses) {
        UnaryCalls.answer(responses, () -> cairn.kv().compact(KvMapping.toApi(request)), KvMapping::toWire);
    }
}
