package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.api.Cairn;
import io.cairn.api.auth.Auth;
import io.cairn.api.cluster.Cluster;
import io.cairn.api.election.Election;
import io.cairn.api.kv.KV;
import io.cairn.api.lease.Lease;
import io.cairn.api.lock.Lock;
import io.cairn.api.lock.LockRequest;
import io.cairn.api.lock.LockResponse;
import io.cairn.api.lock.UnlockRequest;
import io.cairn.api.lock.UnlockResponse;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.watch.Watch;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.v3electionpb.ElectionGrpc;
import io.cairn.etcd.protocol.v3electionpb.ProclaimRequest;
import io.cairn.etcd.protocol.v3lockpb.LockGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** Calls that fail in unusual ways still end, with a status that says what happened. */
class FailureModesTest {

    /** A FakeCairn with the KV and Lock services replaced. */
    private record Patched(FakeCairn base, KV kv, Lock lock) implements Cairn {
        @Override public KV kv() { return kv == null ? base.kv() : kv; }
        @Override public Watch watch() { return base.watch(); }
        @Override public Lease lease() { return base.lease(); }
        @Override public Cluster cluster() { return base.cluster(); }
        @Override public Maintenance maintenance() { return base.maintenance(); }
        @Override public Lock lock() { return lock == null ? base.lock() : lock; }
        @Override public Election election() { return base.election(); }
        @Override public Auth auth() { return base.auth(); }
        @Override public void close() { base.close(); }
    }

    private static <T> T withEndpoint(Cairn cairn, Function<ManagedChannel, T> body) throws InterruptedException {
        ClientEndpoint endpoint = TransportProviders.byId("grpc")
                .startClientEndpoint(cairn, ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")));
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1",
                endpoint.boundAddresses().get(0).getPort(), InsecureChannelCredentials.create()).build();
        try {
            return body.apply(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            endpoint.close(Duration.ofSeconds(2));
        }
    }

    @Test
    void aServiceThatThrowsOrFailsUnexpectedlyGivesInternalNotAHungCall() throws Exception {
        KV throwing = (KV) java.lang.reflect.Proxy.newProxyInstance(KV.class.getClassLoader(), new Class<?>[] {KV.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("range")) {
                        throw new IllegalStateException("range exploded");
                    }
                    return CompletableFuture.failedFuture(new ArithmeticException("put went wrong"));
                });
        var cairn = new Patched(new FakeCairn(), throwing, null);
        withEndpoint(cairn, channel -> {
            var kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            var thrown = assertThrows(StatusRuntimeException.class,
                    () -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
            assertEquals(Status.Code.INTERNAL, thrown.getStatus().getCode());
            assertTrue(thrown.getStatus().getDescription().contains("range exploded"), thrown.getStatus().getDescription());

            var failed = assertThrows(StatusRuntimeException.class, () -> kv.put(
                    io.cairn.etcd.protocol.etcdserverpb.PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
            assertEquals(Status.Code.INTERNAL, failed.getStatus().getCode());
            assertTrue(failed.getStatus().getDescription().contains("put went wrong"), failed.getStatus().getDescription());
            return null;
        });
    }

    @Test
    void aCancelledLockCallCancelsTheWaitingFuture() throws Exception {
        CompletableFuture<LockResponse> waiting = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
        Lock lock = new Lock() {
            @Override
            public CompletableFuture<LockResponse> lock(LockRequest request) {
                called.countDown();
                return waiting;
            }

            @Override
            public CompletableFuture<UnlockResponse> unlock(UnlockRequest request) {
                return new CompletableFuture<>();
            }
        };
        var cairn = new Patched(new FakeCairn(), null, lock);
        withEndpoint(cairn, channel -> {
            var call = LockGrpc.newFutureStub(channel).lock(io.cairn.etcd.protocol.v3lockpb.LockRequest.newBuilder()
                    .setName(ByteString.copyFromUtf8("L")).build());
            try {
                assertTrue(called.await(10, TimeUnit.SECONDS), "the lock call reached the Cairn");
                call.cancel(true); // the client gives up waiting, as a cancelled context does in etcd's clients
                waiting.handle((r, t) -> null).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the lock future was not cancelled", e);
            }
            assertTrue(waiting.isCancelled(), "withdrawing from the lock queue is the api's cancellation");
            return null;
        });
    }

    @Test
    void aBadWatchRequestEndsTheStreamWithItsErrorNotWithOk() throws Exception {
        withEndpoint(new FakeCairn(), channel -> {
            java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
            var requests = io.cairn.etcd.protocol.etcdserverpb.WatchGrpc.newStub(channel).watch(
                    new io.grpc.stub.StreamObserver<>() {
                        @Override
                        public void onNext(io.cairn.etcd.protocol.etcdserverpb.WatchResponse response) {}

                        @Override
                        public void onError(Throwable t) {
                            ended.complete(t);
                        }

                        @Override
                        public void onCompleted() {
                            ended.complete(null);
                        }
                    });
            requests.onNext(io.cairn.etcd.protocol.etcdserverpb.WatchRequest.newBuilder().setCreateRequest(
                    io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("k")).setWatchId(-7)).build());
            Throwable end;
            try {
                end = ended.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the stream did not end", e);
            }
            var status = assertInstanceOf(StatusRuntimeException.class, end, "ended with an error").getStatus();
            assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
            assertEquals("cairn: watch_id must not be negative, got -7", status.getDescription());
            return null;
        });
    }

    @Test
    void aProclaimWithoutLeaderGetsEtcdsElectionError() throws Exception {
        withEndpoint(new FakeCairn(), channel -> {
            var thrown = assertThrows(StatusRuntimeException.class, () -> ElectionGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .proclaim(ProclaimRequest.newBuilder().setValue(ByteString.copyFromUtf8("v")).build()));
            assertEquals(Status.Code.UNKNOWN, thrown.getStatus().getCode());
            assertEquals("\"leader\" field must be provided", thrown.getStatus().getDescription());
            return null;
        });
    }
}
