package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.etcd.protocol.etcdserverpb.AuthGrpc;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateResponse;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.ResponseHeader;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of etcd's auth: Authenticate, the {@code token} metadata on every call, and a
 * new token when the server says "invalid auth token". The server here is a small gRPC server of
 * etcd's Auth and KV services that records what arrives ({@link CairnAuthTest} uses Cairn's own auth).
 */
class AuthTokenTest {

    private static final Context.Key<String> TOKEN_SEEN = Context.key("token");

    private final List<String> authenticatedAs = new CopyOnWriteArrayList<>();
    private final List<String> tokensOnAuthenticate = new CopyOnWriteArrayList<>();
    private final List<String> tokensOnRange = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile String validToken;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        ServerInterceptor recordToken = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String token = headers.get(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER));
                return Contexts.interceptCall(Context.current().withValue(TOKEN_SEEN, token == null ? "" : token),
                        call, headers, next);
            }
        };
        var auth = new AuthGrpc.AuthImplBase() {
            @Override
            public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> responses) {
                authenticatedAs.add(request.getName() + ":" + request.getPassword());
                tokensOnAuthenticate.add(TOKEN_SEEN.get());
                validToken = "token-" + issued.incrementAndGet();
                responses.onNext(AuthenticateResponse.newBuilder().setHeader(ResponseHeader.getDefaultInstance())
                        .setToken(validToken).build());
                responses.onCompleted();
            }
        };
        var kv = new KVGrpc.KVImplBase() {
            @Override
            public void range(RangeRequest request, StreamObserver<RangeResponse> responses) {
                String token = TOKEN_SEEN.get();
                tokensOnRange.add(token);
                if (!token.equals(validToken)) {
                    responses.onError(Status.UNAUTHENTICATED.withDescription(ErrorCode.INVALID_AUTH_TOKEN.message())
                            .asRuntimeException());
                    return;
                }
                responses.onNext(RangeResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(7)).build());
                responses.onCompleted();
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(auth, recordToken))
                .addService(ServerInterceptors.intercept(kv, recordToken))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void everyCallCarriesTheTokenAndARefusedTokenIsRenewedOnce() {
        try (CairnClient client = CairnClient.builder().endpoints("http://127.0.0.1:" + server.getPort())
                .user("alice", "secret").build()) {
            assertEquals(7, await(client.kv().get(Bytes.fromUtf8("k"))).header().revision());
            assertEquals(List.of("alice:secret"), authenticatedAs);
            assertEquals(List.of(""), tokensOnAuthenticate, "Authenticate itself carries no token");
            assertEquals(List.of("token-1"), tokensOnRange);

            validToken = "token-changed-on-the-server"; // e.g. the server restarted: token-1 is refused
            assertEquals(7, await(client.kv().get(Bytes.fromUtf8("k"))).header().revision());
            assertEquals(List.of("alice:secret", "alice:secret"), authenticatedAs);
            assertEquals(List.of("token-1", "token-1", "token-2"), tokensOnRange);
        }
    }

    @Test
    void withoutAUserNoTokenIsSentAndARefusalIsReported() {
        try (CairnClient client = CairnClient.builder().endpoints("http://127.0.0.1:" + server.getPort()).build()) {
            CairnException refused = TestServers.failure(client.kv().get(Bytes.fromUtf8("k")));
            assertTrue(refused.is(ErrorCode.INVALID_AUTH_TOKEN), refused.toString());
            assertEquals(List.of(""), tokensOnRange);
            assertTrue(authenticatedAs.isEmpty());
        }
    }
}
