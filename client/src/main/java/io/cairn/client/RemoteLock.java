package io.cairn.client;

import io.cairn.api.lock.Lock;
import io.cairn.api.lock.LockRequest;
import io.cairn.api.lock.LockResponse;
import io.cairn.api.lock.UnlockRequest;
import io.cairn.api.lock.UnlockResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.v3lockpb.LockGrpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Lock} over etcd's {@code v3lockpb.Lock} service. Neither call is retried after it may
 * have been sent: a lock taken twice would hold two waiter keys. Cancelling the future of a lock
 * cancels the call, which withdraws the waiter on the server.
 */
final class RemoteLock implements Lock {

    private final Connection connection;

    RemoteLock(Connection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<LockResponse> lock(LockRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3lockpb.LockRequest.newBuilder()
                .setName(KvMapping.toWire(request.name())).setLease(request.lease()).build();
        return connection.unary(LockGrpc.getLockMethod(), wire, false)
                .thenApply(r -> new LockResponse(ClientMapping.toApi(r.getHeader()), KvMapping.toApi(r.getKey())));
    }

    @Override
    public CompletableFuture<UnlockResponse> unlock(UnlockRequest request) {
        Objects.requireNonNull(request, "request");
        var wire = io.cairn.etcd.protocol.v3lockpb.UnlockRequest.newBuilder().setKey(KvMapping.toWire(request.key())).build();
        // Unlock deletes one key: deleting it again changes nothing.
        return connection.unary(LockGrpc.getUnlockMethod(), wire, true)
                .thenApply(r -> new UnlockResponse(ClientMapping.toApi(r.getHeader())));
    }
}
