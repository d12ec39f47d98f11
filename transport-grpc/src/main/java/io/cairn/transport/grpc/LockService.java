package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.etcd.protocol.v3lockpb.LockGrpc;
import io.cairn.etcd.protocol.v3lockpb.LockRequest;
import io.cairn.etcd.protocol.v3lockpb.LockResponse;
import io.cairn.etcd.protocol.v3lockpb.UnlockRequest;
import io.cairn.etcd.protocol.v3lockpb.UnlockResponse;
import io.grpc.stub.StreamObserver;

/**
 * etcd's {@code v3lockpb.Lock} service on {@link Cairn#lock()}. A Lock call may wait indefinitely;
 * cancelling it (or its deadline) cancels the api future, which withdraws the waiter.
 */
final class LockService extends LockGrpc.LockImplBase {

    private final Cairn cairn;

    LockService(Cairn cairn) {
        this.cairn = cairn;
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.lock().lock(new io.cairn.api.lock.LockRequest(KvMapping.toApi(request.getName()), request.getLease())),
                a -> LockResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).setKey(KvMapping.toWire(a.key())).build());
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> responses) {
        UnaryCalls.answer(responses,
                () -> cairn.lock().unlock(new io.cairn.api.lock.UnlockRequest(KvMapping.toApi(request.getKey()))),
                a -> UnlockResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
    }
}
