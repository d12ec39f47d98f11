package io.cairn.transport.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one unary call against the {@link io.cairn.api.Cairn}: decode, call, encode, answer. Every
 * path ends the call: a decode error, a synchronous throw, a failed future and an encode error all
 * become a status (see {@link GrpcErrors}). Cancelling the call (client gone, deadline passed)
 * cancels the future, which for Lock and Campaign withdraws the waiter as etcd does.
 */
final class UnaryCalls {

    private UnaryCalls() {}

    /**
     * @param call decodes the request and calls the api; runs on the calling (gRPC) thread
     * @param toWire encodes the answer; runs on the thread that completes the future
     */
    static <A, R> void answer(StreamObserver<R> responses, Supplier<CompletableFuture<A>> call, Function<A, R> toWire) {
        AtomicReference<CompletableFuture<A>> pending = new AtomicReference<>();
        if (responses instanceof ServerCallStreamObserver<R> serverCall) {
            serverCall.setOnCancelHandler(() -> {
                CompletableFuture<A> future = pending.get();
                if (future != null) {
                    future.cancel(false);
                }
            });
        }
        CompletableFuture<A> future;
        try {
            future = call.get();
            if (future == null) {
                throw new IllegalStateException("the Cairn served returned no future");
            }
        } catch (RuntimeException failure) {
            responses.onError(GrpcErrors.toStatus(failure));
            return;
        }
        pending.set(future);
        if (responses instanceof ServerCallStreamObserver<R> serverCall && serverCall.isCancelled()) {
            future.cancel(false); // cancelled before the handler could see the future
            return;
        }
        future.whenComplete((answer, failure) -> {
            if (responses instanceof ServerCallStreamObserver<R> serverCall && serverCall.isCancelled()) {
                return; // nobody is listening any more
            }
            if (failure != null) {
                responses.onError(GrpcErrors.toStatus(failure));
                return;
            }
            R wire;
            try {
                wire = toWire.apply(answer);
            } catch (RuntimeException encodeFailure) {
                responses.onError(GrpcErrors.toStatus(encodeFailure));
                return;
            }
            responses.onNext(wire);
            responses.onCompleted();
        });
    }
}
