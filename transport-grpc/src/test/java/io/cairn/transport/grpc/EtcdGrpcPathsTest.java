package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.ResponseHeader;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.KeyValue;
import io.cairn.etcd.protocol.v3electionpb.ElectionGrpc;
import io.cairn.etcd.protocol.v3electionpb.LeaderRequest;
import io.cairn.etcd.protocol.v3electionpb.LeaderResponse;
import io.cairn.etcd.protocol.v3lockpb.LockGrpc;
import io.cairn.etcd.protocol.v3lockpb.LockRequest;
import io.cairn.etcd.protocol.v3lockpb.LockResponse;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServiceDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Real calls over TCP on 127.0.0.1 between our generated services and jetcd's generated stubs (and
 * the other way round): a call only reaches the implementation when the gRPC method path matches.
 */
class EtcdGrpcPathsTest {

    @Test
    void everyJetcdMethodPathExistsInOursWithTheSameCallType() {
        Map<String, MethodDescriptor.MethodType> theirs = methodTypes(List.of(
                io.etcd.jetcd.api.KVGrpc.getServiceDescriptor(), io.etcd.jetcd.api.WatchGrpc.getServiceDescriptor(),
                io.etcd.jetcd.api.LeaseGrpc.getServiceDescriptor(), io.etcd.jetcd.api.ClusterGrpc.getServiceDescriptor(),
                io.etcd.jetcd.api.MaintenanceGrpc.getServiceDescriptor(), io.etcd.jetcd.api.AuthGrpc.getServiceDescriptor(),
                io.etcd.jetcd.api.lock.LockGrpc.getServiceDescriptor(), io.etcd.jetcd.api.ElectionGrpc.getServiceDescriptor()));
        Map<String, MethodDescriptor.MethodType> ours = methodTypes(List.of(
                KVGrpc.getServiceDescriptor(), WatchGrpc.getServiceDescriptor(),
                io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc.getServiceDescriptor(),
                io.cairn.etcd.protocol.etcdserverpb.ClusterGrpc.getServiceDescriptor(),
                io.cairn.etcd.protocol.etcdserverpb.MaintenanceGrpc.getServiceDescriptor(),
                io.cairn.etcd.protocol.etcdserverpb.AuthGrpc.getServiceDescriptor(),
                LockGrpc.getServiceDescriptor(), ElectionGrpc.getServiceDescriptor()));

        // jetcd's Watch/Progress is not an etcd method (see EtcdProtocolDescriptorTest.JETCD_ONLY).
        theirs.remove("etcdserverpb.Watch/Progress");
        Map<String, MethodDescriptor.MethodType> oursForTheirs = new TreeMap<>(ours);
        oursForTheirs.keySet().retainAll(theirs.keySet());

        assertTrue(theirs.size() >= 45, "jetcd methods: " + theirs.keySet());
        assertEquals(theirs, oursForTheirs);
        assertEquals(MethodDescriptor.MethodType.BIDI_STREAMING, ours.get("etcdserverpb.Watch/Watch"));
        assertEquals(MethodDescriptor.MethodType.BIDI_STREAMING, ours.get("etcdserverpb.Lease/LeaseKeepAlive"));
        assertEquals(MethodDescriptor.MethodType.SERVER_STREAMING, ours.get("etcdserverpb.Maintenance/Snapshot"));
        assertEquals(MethodDescriptor.MethodType.SERVER_STREAMING, ours.get("v3electionpb.Election/Observe"));
        assertEquals(MethodDescriptor.MethodType.UNARY, ours.get("v3lockpb.Lock/Lock"));
        assertEquals(MethodDescriptor.MethodType.UNARY, ours.get("v3electionpb.Election/Campaign"));
    }

    @Test
    void jetcdStubsCallOurServices() throws Exception {
        var kv = new KVGrpc.KVImplBase() {
            @Override
            public void range(RangeRequest request, StreamObserver<RangeResponse> responses) {
                responses.onNext(RangeResponse.newBuilder()
                        .setHeader(ResponseHeader.newBuilder().setRevision(41))
                        .addKvs(KeyValue.newBuilder().setKey(request.getKey()).setValue(ByteString.copyFromUtf8("v"))
                                .setModRevision(request.getRevision()))
                        .setCount(1)
                        .build());
                responses.onCompleted();
            }
        };
        var watch = new WatchGrpc.WatchImplBase() {
            @Override
            public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(WatchRequest request) {
                        responses.onNext(WatchResponse.newBuilder()
                                .setWatchId(request.getCreateRequest().getStartRevision()).setCreated(true).build());
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        responses.onCompleted();
                    }
                };
            }
        };
        var lock = new LockGrpc.LockImplBase() {
            @Override
            public void lock(LockRequest request, StreamObserver<LockResponse> responses) {
                responses.onNext(LockResponse.newBuilder().setKey(request.getName().concat(ByteString.copyFromUtf8("/1"))).build());
                responses.onCompleted();
            }
        };
        var election = new ElectionGrpc.ElectionImplBase() {
            @Override
            public void observe(LeaderRequest request, StreamObserver<LeaderResponse> responses) {
                for (int revision = 1; revision <= 3; revision++) {
                    responses.onNext(LeaderResponse.newBuilder()
                            .setKv(KeyValue.newBuilder().setKey(request.getName()).setModRevision(revision)).build());
                }
                responses.onCompleted();
            }
        };

        try (var endpoint = Endpoint.start(kv, watch, lock, election)) {
            var range = io.etcd.jetcd.api.KVGrpc.newBlockingStub(endpoint.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8("k")).setRevision(7).build());
            assertEquals(41, range.getHeader().getRevision());
            assertEquals("k", range.getKvs(0).getKey().toStringUtf8());
            assertEquals(7, range.getKvs(0).getModRevision());

            var lockResponse = io.etcd.jetcd.api.lock.LockGrpc.newBlockingStub(endpoint.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .lock(io.etcd.jetcd.api.lock.LockRequest.newBuilder().setName(ByteString.copyFromUtf8("L")).build());
            assertEquals("L/1", lockResponse.getKey().toStringUtf8());

            List<Long> observed = new ArrayList<>();
            io.etcd.jetcd.api.ElectionGrpc.newBlockingStub(endpoint.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .observe(io.etcd.jetcd.api.LeaderRequest.newBuilder().setName(ByteString.copyFromUtf8("e")).build())
                    .forEachRemaining(r -> observed.add(r.getKv().getModRevision()));
            assertEquals(List.of(1L, 2L, 3L), observed);

            BlockingQueue<io.etcd.jetcd.api.WatchResponse> watchResponses = new LinkedBlockingQueue<>();
            var requests = io.etcd.jetcd.api.WatchGrpc.newStub(endpoint.channel)
                    .watch(new StreamObserver<>() {
                        @Override
                        public void onNext(io.etcd.jetcd.api.WatchResponse response) {
                            watchResponses.add(response);
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    });
            for (long start : new long[] {5, 6}) {
                requests.onNext(io.etcd.jetcd.api.WatchRequest.newBuilder()
                        .setCreateRequest(io.etcd.jetcd.api.WatchCreateRequest.newBuilder().setStartRevision(start))
                        .build());
            }
            var first = watchResponses.poll(10, TimeUnit.SECONDS);
            var second = watchResponses.poll(10, TimeUnit.SECONDS);
            requests.onCompleted();
            assertNotNull(second, "two watch responses on the bidi stream");
            assertEquals(List.of(5L, 6L), List.of(first.getWatchId(), second.getWatchId()));
            assertTrue(first.getCreated());
        }
    }

    @Test
    void ourStubCallsJetcdsService() throws Exception {
        var jetcdKv = new io.etcd.jetcd.api.KVGrpc.KVImplBase() {
            @Override
            public void range(io.etcd.jetcd.api.RangeRequest request,
                    StreamObserver<io.etcd.jetcd.api.RangeResponse> responses) {
                responses.onNext(io.etcd.jetcd.api.RangeResponse.newBuilder()
                        .setCount(request.getLimit() * 2).setMore(true).build());
                responses.onCompleted();
            }
        };

        try (var endpoint = Endpoint.start(jetcdKv)) {
            RangeResponse response = KVGrpc.newBlockingStub(endpoint.channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setLimit(21).build());
            assertEquals(42, response.getCount());
            assertTrue(response.getMore());
        }
    }

    private static Map<String, MethodDescriptor.MethodType> methodTypes(List<ServiceDescriptor> services) {
        Map<String, MethodDescriptor.MethodType> types = new TreeMap<>();
        services.forEach(s -> s.getMethods().forEach(m -> types.put(m.getFullMethodName(), m.getType())));
        return types;
    }

    /** A plaintext server on 127.0.0.1 with an ephemeral port, and a channel to it. */
    private record Endpoint(Server server, ManagedChannel channel) implements AutoCloseable {
        static Endpoint start(BindableService... services) throws IOException {
            var builder = NettyServerBuilder.forAddress(
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), InsecureServerCredentials.create());
            for (BindableService service : services) {
                builder.addService(service);
            }
            Server server = builder.build().start();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                    "127.0.0.1", server.getPort(), InsecureChannelCredentials.create()).build();
            return new Endpoint(server, channel);
        }

        @Override
        public void close() {
            channel.shutdownNow();
            server.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
