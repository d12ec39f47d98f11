package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The endpoint honours its configuration: every listen URL, the stream limit. */
class EndpointConfigTest {

    private static ManagedChannel channel(InetSocketAddress address) {
        return Grpc.newChannelBuilderForAddress(address.getAddress().getHostAddress(), address.getPort(),
                InsecureChannelCredentials.create()).build();
    }

    @Test
    void everyListenUrlServesTheSameCairn() throws Exception {
        var cairn = new FakeCairn();
        try (ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(cairn,
                ClientEndpointConfig.of(URI.create("http://127.0.0.1:0"), URI.create("http://localhost:0")))) {
            List<InetSocketAddress> bound = endpoint.boundAddresses();
            assertEquals(2, bound.size());
            assertNotEquals(bound.get(0).getPort(), bound.get(1).getPort());
            assertEquals("localhost", endpoint.boundUrls().get(1).getHost());

            ManagedChannel first = channel(bound.get(0));
            ManagedChannel second = channel(bound.get(1));
            try {
                KVGrpc.newBlockingStub(first).withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
                var read = KVGrpc.newBlockingStub(second).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
                assertEquals("v", read.getKvs(0).getValue().toStringUtf8());
            } finally {
                first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void maxConcurrentStreamsLimitsCallsPerConnection() throws Exception {
        var cairn = new FakeCairn();
        try (ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(cairn,
                ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")).withMaxConcurrentStreams(1))) {
            ManagedChannel channel = channel(endpoint.boundAddresses().get(0));
            try {
                BlockingQueue<WatchResponse> created = new LinkedBlockingQueue<>();
                var watch = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse response) {
                        created.add(response);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
                watch.onNext(WatchRequest.newBuilder().setCreateRequest(
                        WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("w"))).build());
                assertEquals(true, created.poll(10, TimeUnit.SECONDS).getCreated(), "the one stream is open");

                // The connection's only stream is taken: a second call waits for a free one (gRPC queues it).
                var thrown = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, thrown.getStatus().getCode());

                // The limit is per connection: another connection is served at once.
                ManagedChannel other = channel(endpoint.boundAddresses().get(0));
                try {
                    var range = KVGrpc.newBlockingStub(other).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
                    assertEquals(0, range.getCount());
                } finally {
                    other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
                watch.onError(new RuntimeException("done"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closeRejectsANegativeGrace() {
        try (ClientEndpoint endpoint = TransportProviders.byId("grpc").startClientEndpoint(new FakeCairn(),
                ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")))) {
            assertThrows(IllegalArgumentException.class, () -> endpoint.close(Duration.ofSeconds(-1)));
        }
    }
}
