package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProviders;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * A watch client that stops reading: the transport must stop asking the api stream for responses
 * (they wait in the api stream, which owns the backlog) instead of buffering them in gRPC, and
 * deliver everything once the client reads again.
 */
class FlowControlTest {

    private static final int EVENTS = 300;
    private static final int VALUE_BYTES = 16 * 1024;

    @Test
    void aSlowWatchClientHoldsBackTheDemandNotTheServersMemory() throws Exception {
        var cairn = new FakeCairn();
        ClientEndpoint endpoint = TransportProviders.byId("grpc")
                .startClientEndpoint(cairn, ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")));
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1",
                endpoint.boundAddresses().get(0).getPort(), InsecureChannelCredentials.create()).build();
        try {
            BlockingQueue<WatchResponse> received = new LinkedBlockingQueue<>();
            AtomicReference<ClientCallStreamObserver<WatchRequest>> call = new AtomicReference<>();
            var requests = WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
                    call.set(requestStream);
                    requestStream.disableAutoRequestWithInitial(1); // only the "created" answer
                }

                @Override
                public void onNext(WatchResponse response) {
                    received.add(response);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(
                    WatchCreateRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("slow"))).build());
            assertTrue(received.poll(10, TimeUnit.SECONDS).getCreated());

            Bytes value = Bytes.of(new byte[VALUE_BYTES]);
            for (int i = 0; i < EVENTS; i++) {
                cairn.kv().put(Bytes.fromUtf8("slow"), value).join();
            }
            var stream = cairn.watchStreams().get(0);
            long settled = waitUntilSettled(stream);

            // 300 x 16 KiB = 4.7 MiB; gRPC's windows (1 MiB for the client's stream) and the transport's
            // window of 16 let only a fraction leave the api stream; the rest waits there.
            assertTrue(settled < EVENTS / 2, "responses taken from the api stream while the client did not read: " + settled);
            assertTrue(stream.queued() > 0, "the backlog stays in the api stream");
            assertTrue(stream.requested.get() <= settled + OutboundStream.WINDOW + 1,
                    "demand beyond what was sent: requested " + stream.requested.get() + ", delivered " + settled);

            call.get().request(Integer.MAX_VALUE);
            long lastRevision = 0;
            for (int i = 0; i < EVENTS; i++) {
                WatchResponse next = received.poll(10, TimeUnit.SECONDS);
                assertTrue(next != null, "event " + i + " of " + EVENTS + " arrived");
                assertEquals(1, next.getEventsCount());
                assertTrue(next.getHeader().getRevision() > lastRevision, "in revision order");
                lastRevision = next.getHeader().getRevision();
            }
            assertEquals(EVENTS + 1, lastRevision, "the last put's revision");
            requests.onError(new RuntimeException("test done")); // cancels the call
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            endpoint.close(Duration.ofSeconds(2));
            cairn.close();
        }
    }

    /** Waits until the transport has taken nothing more from the stream for half a second; returns the count. */
    private static long waitUntilSettled(FakeStream<?> stream) throws InterruptedException {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long now = stream.delivered.get();
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(500);
        }
        return stream.delivered.get();
    }
}
