package io.cairn.client;

import io.cairn.etcd.protocol.etcdserverpb.AuthGrpc;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channels to the endpoints, which one is in use, the auth token, and unary calls with
 * failover and retries.
 *
 * <p>Failover: one channel per endpoint, created at once (gRPC connects lazily). Calls go to the
 * current endpoint; a call that finds the member lost ({@link Errors#isLostMember}) moves the client to the next endpoint, round
 * robin, so the next attempt (or the next call) goes to another member.
 *
 * <p>Retries: a call marked idempotent (reads, and requests that change nothing) is sent again
 * after UNAVAILABLE, up to {@code maxAttempts} in all, with exponential backoff. A write is sent again
 * only when it surely never left ({@link Errors#surelyNotSent}); otherwise its failure is reported,
 * because the server may have applied it.
 *
 * <p>Auth: with a user, the client authenticates before its first call and sends the token as
 * etcd's {@code token} metadata on every call; a call refused with etcd's "invalid auth token"
 * authenticates again and is sent once more (the server refused it, so it was not applied).
 *
 * <p>Threading: every method is thread-safe. gRPC runs callbacks on its executor; timers run on
 * one daemon thread of this connection.
 */
final class Connection implements AutoCloseable {

    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

    record Settings(List<URI> endpoints, SslContext ssl, String user, String password, int maxAttempts,
                    Duration initialBackoff, Duration maxBackoff) {}

    private final List<URI> endpoints;
    private final List<ManagedChannel> channels;
    private final List<Channel> intercepted;
    private final AtomicInteger current = new AtomicInteger();
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private volatile String token;
    private CompletableFuture<Void> authenticating; // guarded by this
    private volatile boolean closed;

    Connection(Settings settings) {
        this.settings = settings;
        this.endpoints = List.copyOf(settings.endpoints());
        this.channels = new ArrayList<>();
        this.intercepted = new ArrayList<>();
        ClientInterceptor tokenInterceptor = new TokenInterceptor();
        for (URI endpoint : endpoints) {
            NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
                    .maxInboundMessageSize(Integer.MAX_VALUE);
            boolean tls = "https".equalsIgnoreCase(endpoint.getScheme()) || settings.ssl() != null;
            if (tls) {
                builder.sslContext(settings.ssl() != null ? settings.ssl() : Tls.defaultContext());
            } else {
                builder.usePlaintext();
            }
            ManagedChannel channel = builder.build();
            channels.add(channel);
            intercepted.add(ClientInterceptors.intercept(channel, tokenInterceptor));
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cairn-client-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    List<URI> endpoints() {
        return endpoints;
    }

    /** The index of the endpoint in use now. */
    int currentIndex() {
        return Math.floorMod(current.get(), channels.size());
    }

    /**
     * The channel to endpoint {@code index}. A channel that failed to connect waits out gRPC's own
     * reconnect backoff (seconds, growing) and fails calls at once meanwhile; the client's backoff
     * already spaced this attempt, so the channel is told to try now.
     */
    Channel channel(int index) {
        ManagedChannel channel = channels.get(index);
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return intercepted.get(index);
    }

    /** After {@code failedIndex} was unavailable: the next endpoint, unless another call moved on already. */
    void failover(int failedIndex) {
        current.compareAndSet(failedIndex, (failedIndex + 1) % channels.size());
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    boolean isClosed() {
        return closed;
    }

    /** The backoff before attempt {@code attempt} (1 is the first retry): doubling up to the maximum. */
    long backoffMillis(int attempt) {
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        long delay = initial << Math.min(attempt - 1, 20);
        return Math.max(1, Math.min(max, delay));
    }

    <Q, R> CompletableFuture<R> unary(MethodDescriptor<Q, R> method, Q request, boolean idempotent) {
        CompletableFuture<R> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(Errors.closed());
            return result;
        }
        withToken().whenComplete((ignored, authFailure) -> {
            if (authFailure != null) {
                result.completeExceptionally(Errors.toCairn(authFailure));
            } else {
                attempt(method, request, idempotent, 1, false, result);
            }
        });
        return result;
    }

    private <Q, R> void attempt(MethodDescriptor<Q, R> method, Q request, boolean idempotent, int attempt,
                                boolean reauthenticated, CompletableFuture<R> result) {
        if (closed) {
            result.completeExceptionally(Errors.closed());
            return;
        }
        if (result.isDone()) {
            return; // cancelled by the caller
        }
        int index = currentIndex();
        ClientCall<Q, R> call = channel(index).newCall(method, CallOptions.DEFAULT);
        result.whenComplete((r, t) -> {
            if (result.isCancelled()) {
                call.cancel("cancelled by the caller", null);
            }
        });
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(R response) {
                result.complete(response);
            }

            @Override
            public void onError(Throwable failure) {
                if (result.isDone()) {
                    return; // cancelled by the caller: not the member's fault
                }
                if (closed) {
                    result.completeExceptionally(Errors.closed());
                    return;
                }
                if (!reauthenticated && settings.user() != null && Errors.isInvalidToken(failure)) {
                    token = null;
                    withToken().whenComplete((ignored, authFailure) -> {
                        if (authFailure != null) {
                            result.completeExceptionally(Errors.toCairn(authFailure));
                        } else {
                            attempt(method, request, idempotent, attempt, true, result);
                        }
                    });
                    return;
                }
                if (Errors.isLostMember(failure)) {
                    failover(index);
                    if ((idempotent || Errors.surelyNotSent(failure)) && attempt < settings.maxAttempts()) {
                        timer.schedule(() -> attempt(method, request, idempotent, attempt + 1, reauthenticated, result),
                                backoffMillis(attempt), TimeUnit.MILLISECONDS);
                        return;
                    }
                }
                result.completeExceptionally(Errors.toCairn(failure));
            }

            @Override
            public void onCompleted() {
                if (!result.isDone()) {
                    result.completeExceptionally(Errors.toCairn(
                            Status.INTERNAL.withDescription("cairn: the server ended a unary call without an answer")
                                    .asRuntimeException()));
                }
            }
        });
    }

    /** Completes once a token is held (at once without a user, or with one already). */
    private CompletableFuture<Void> withToken() {
        if (settings.user() == null || token != null) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (this) {
            if (token != null) {
                return CompletableFuture.completedFuture(null);
            }
            if (authenticating == null || authenticating.isDone()) {
                CompletableFuture<Void> started = new CompletableFuture<>();
                authenticating = started;
                AuthenticateRequest request = AuthenticateRequest.newBuilder()
                        .setName(settings.user()).setPassword(settings.password()).build();
                // Authenticate changes nothing: safe to send again on another member.
                attempt(AuthGrpc.getAuthenticateMethod(), request, true, 1, true,
                        new CompletableFuture<AuthenticateResponse>() {
                            @Override
                            public boolean complete(AuthenticateResponse response) {
                                token = response.getToken();
                                started.complete(null);
                                return super.complete(response);
                            }

                            @Override
                            public boolean completeExceptionally(Throwable failure) {
                                started.completeExceptionally(failure);
                                return super.completeExceptionally(failure);
                            }
                        });
            }
            return authenticating;
        }
    }

    /**
     * Makes sure a token is held before a stream opens: streams take the token when they start.
     * Completes exceptionally if authentication fails.
     */
    CompletableFuture<Void> ready() {
        return withToken();
    }

    /** Forget the token (a stream was refused with "invalid auth token"); the next call authenticates. */
    void invalidateToken() {
        token = null;
    }

    boolean hasUser() {
        return settings.user() != null;
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        timer.shutdownNow();
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Adds etcd's {@code token} metadata to every call but Authenticate, when a token is held. */
    private final class TokenInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    String held = token;
                    if (held != null && !method.getFullMethodName().equals(AuthGrpc.getAuthenticateMethod().getFullMethodName())) {
                        headers.put(TOKEN, held);
                    }
                    super.start(listener, headers);
                }
            };
        }
    }
}
