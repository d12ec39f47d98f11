package io.cairn.client;

import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.CompactionResponse;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** {@link KV} over etcd's {@code KV} service. Ranges are retried; a txn is retried when it only reads. */
final class RemoteKv implements KV {

    private final Connection connection;
    private final Namespace namespace;

    RemoteKv(Connection connection, Namespace namespace) {
        this.connection = connection;
        this.namespace = namespace;
    }

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(KVGrpc.getRangeMethod(), namespace.apply(ClientMapping.toWire(request)), true)
                .thenApply(response -> ClientMapping.toApi(namespace.strip(response)));
    }

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(KVGrpc.getPutMethod(), namespace.apply(ClientMapping.toWire(request)), false)
                .thenApply(response -> ClientMapping.toApi(namespace.strip(response)));
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(KVGrpc.getDeleteRangeMethod(), namespace.apply(ClientMapping.toWire(request)), false)
                .thenApply(response -> ClientMapping.toApi(namespace.strip(response)));
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(KVGrpc.getTxnMethod(), namespace.apply(ClientMapping.toWire(request)), readOnly(request))
                .thenApply(response -> ClientMapping.toApi(namespace.strip(response)));
    }

    /** A compaction applied twice is the same compaction (the second fails as compacted, harmless). */
    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
        Objects.requireNonNull(request, "request");
        return connection.unary(KVGrpc.getCompactMethod(), ClientMapping.toWire(request), false)
                .thenApply(response -> new CompactionResponse(ClientMapping.toApi(response.getHeader())));
    }

    private static boolean readOnly(TxnRequest txn) {
        return txn.success().stream().allMatch(RemoteKv::readOnly) && txn.failure().stream().allMatch(RemoteKv::readOnly);
    }

    private static boolean readOnly(RequestOp op) {
        return switch (op) {
            case RangeRequest range -> true;
            case TxnRequest txn -> readOnly(txn);
            case PutRequest put -> false;
            case DeleteRangeRequest delete -> false;
        };
    }
}
