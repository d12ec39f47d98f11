package io.cairn.client;

import io.grpc.ClientCall;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * A server-streaming call (snapshot, observe) as a {@link Flow.Publisher}: each subscription is one
 * call, and the subscriber's demand is gRPC's flow control (a message is asked of the server only
 * when the subscriber wants one). Not retried: a stream half read cannot be resumed safely; a
 * failure ends it with the mapped {@link io.cairn.api.CairnException}, and an UNAVAILABLE one moves
 * the client to the next endpoint.
 */
final class ServerStreams {

    private ServerStreams() {}

    static <Q, R, A> Flow.Publisher<A> publisher(Connection connection, MethodDescriptor<Q, R> method, Q request,
                                                 Function<R, A> map) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            connection.ready().whenComplete((ignored, authFailure) -> start(connection, method, request, map,
                    subscriber, authFailure));
        };
    }

    private static <Q, R, A> void start(Connection connection, MethodDescriptor<Q, R> method, Q request,
                                        Function<R, A> map, Flow.Subscriber<? super A> subscriber, Throwable authFailure) {
        Object lock = new Object();
        boolean[] done = {false}; // guarded by lock: nothing is signalled after a terminal signal or a cancel
        if (authFailure != null || connection.isClosed()) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override public void request(long n) {}
                @Override public void cancel() {}
            });
            subscriber.onError(authFailure != null ? Errors.toCairn(authFailure) : Errors.closed());
            return;
        }
        int index = connection.currentIndex();
        ClientCall<Q, R> call = connection.channel(index).newCall(method, CallOptions.DEFAULT);
        synchronized (lock) {
            ClientCalls.asyncServerStreamingCall(call, request, new ClientResponseObserver<Q, R>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
                    requestStream.disableAutoRequestWithInitial(0);
                }

                @Override
                public void onNext(R value) {
                    synchronized (lock) {
                        if (done[0]) {
                            return;
                        }
                        A mapped;
                        try {
                            mapped = map.apply(value);
                        } catch (RuntimeException bad) {
                            done[0] = true;
                            call.cancel("cannot read a message", bad);
                            subscriber.onError(bad);
                            return;
                        }
                        subscriber.onNext(mapped);
                    }
                }

                @Override
                public void onError(Throwable failure) {
                    synchronized (lock) {
                        if (done[0]) {
                            return;
                        }
                        done[0] = true;
                        if (Errors.isLostMember(failure)) {
                            connection.failover(index);
                        }
                        subscriber.onError(connection.isClosed() ? Errors.closed() : Errors.toCairn(failure));
                    }
                }

                @Override
                public void onCompleted() {
                    synchronized (lock) {
                        if (!done[0]) {
                            done[0] = true;
                            subscriber.onComplete();
                        }
                    }
                }
            });
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (n <= 0) {
                        call.cancel("rule 3.9: request a positive number", null);
                        return;
                    }
                    call.request((int) Math.min(n, Integer.MAX_VALUE));
                }

                @Override
                public void cancel() {
                    synchronized (lock) {
                        done[0] = true;
                        call.cancel("cancelled by the subscriber", null);
                    }
                }
            });
        }
    }
}
