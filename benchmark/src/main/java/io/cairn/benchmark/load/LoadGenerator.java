package io.cairn.benchmark.load;

import com.google.protobuf.ByteString;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * etcd's v3 gRPC protocol under load: the workloads of etcd's {@code benchmark} tool, written against
 * the stubs of {@code io.cairn.etcd.protocol}, so the very same requests go to Cairn and to etcd.
 * {@link #run(LoadOptions)} is synchronous and owns every connection it opens.
 */
public final class LoadGenerator {

    /** Deadline of each request: a server that stops answering shows up as errors, not as a hang. */
    static final long REQUEST_TIMEOUT_SECONDS = 30;

    private LoadGenerator() {
    }

    /** Runs the workload the options name, to its end, and returns what it measured. */
    public static LoadResult run(LoadOptions options) throws InterruptedException {
        try (Connections connections = new Connections(options.endpoints(), options.conns())) {
            return switch (options.command()) {
                case "put" -> put(options, connections);
                case "range" -> range(options, connections);
                case "txn-put" -> txnPut(options, connections);
                case "watch-latency" -> WatchLatency.run(options, connections);
                case "lease-keepalive" -> leaseKeepAlive(options, connections);
                default -> throw new LoadOptions.UsageException("unknown command " + options.command());
            };
        }
    }

    /** Keys as etcd's tool makes them: the key number, big-endian, in a key of {@code keySize} bytes. */
    static ByteString key(LoadOptions options, long sequence) {
        long number = options.sequentialKeys() ? sequence % options.keySpaceSize()
                : ThreadLocalRandom.current().nextLong(options.keySpaceSize());
        return keyOf(number, options.keySize());
    }

    static ByteString keyOf(long number, int keySize) {
        byte[] key = new byte[keySize];
        for (int i = Math.min(keySize, 8) - 1, shift = 0; i >= 0; i--, shift += 8) {
            key[i] = (byte) (number >>> shift);
        }
        return ByteString.copyFrom(key);
    }

    static ByteString value(int valSize) {
        byte[] value = new byte[valSize];
        ThreadLocalRandom.current().nextBytes(value);
        return ByteString.copyFrom(value);
    }

    static KVGrpc.KVStub kv(Connections connections, int client) {
        return KVGrpc.newStub(connections.forClient(client));
    }

    private static LoadResult put(LoadOptions options, Connections connections) throws InterruptedException {
        ByteString value = value(options.valSize());
        List<KVGrpc.KVStub> stubs = stubs(options, connections);
        Driver driver = new Driver(options.clients(), options.total(), options.duration(), options.rate(),
                (client, sequence, completion) -> stubs.get(client)
                        .withDeadlineAfter(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(key(options, sequence)).setValue(value).build(),
                                new Unary<>(completion)));
        return result(options, driver.run(), Map.of());
    }

    private static LoadResult range(LoadOptions options, Connections connections) throws InterruptedException {
        ByteString key = keyOf(0, options.keySize());
        // the key exists, so every read returns one key-value, as in a real lookup
        putOnce(connections, key, value(options.valSize()));
        RangeRequest request = RangeRequest.newBuilder().setKey(key).setSerializable(options.serializable()).build();
        List<KVGrpc.KVStub> stubs = stubs(options, connections);
        Driver driver = new Driver(options.clients(), options.total(), options.duration(), options.rate(),
                (client, sequence, completion) -> stubs.get(client)
                        .withDeadlineAfter(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .range(request, new Unary<>(completion)));
        return result(options, driver.run(), Map.of());
    }

    private static LoadResult txnPut(LoadOptions options, Connections connections) throws InterruptedException {
        ByteString value = value(options.valSize());
        List<KVGrpc.KVStub> stubs = stubs(options, connections);
        Driver driver = new Driver(options.clients(), options.total(), options.duration(), options.rate(),
                (client, sequence, completion) -> {
                    // consecutive key numbers from a random (or the next sequential) one: a transaction
                    // may not put one key twice ("duplicate key given in txn request")
                    long first = options.sequentialKeys() ? sequence * options.txnOps()
                            : ThreadLocalRandom.current().nextLong(options.keySpaceSize());
                    TxnRequest.Builder txn = TxnRequest.newBuilder();
                    for (int op = 0; op < options.txnOps(); op++) {
                        txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                                .setKey(keyOf((first + op) % options.keySpaceSize(), options.keySize())).setValue(value)));
                    }
                    stubs.get(client).withDeadlineAfter(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                            .txn(txn.build(), new Unary<>(completion));
                });
        return result(options, driver.run(), Map.of());
    }

    private static LoadResult leaseKeepAlive(LoadOptions options, Connections connections) throws InterruptedException {
        List<KeepAliveStream> streams = new ArrayList<>();
        for (int client = 0; client < options.clients(); client++) {
            // setup, not measured: one lease per client, granted before the clock starts
            long leaseId = LeaseGrpc.newBlockingStub(connections.forClient(client))
                    .withDeadlineAfter(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(options.leaseTtlSeconds()).build()).getID();
            streams.add(new KeepAliveStream(LeaseGrpc.newStub(connections.forClient(client)), leaseId));
        }
        try {
            Driver driver = new Driver(options.clients(), options.total(), options.duration(), options.rate(),
                    (client, sequence, completion) -> streams.get(client).keepAlive(completion));
            return result(options, driver.run(), Map.of());
        } finally {
            streams.forEach(KeepAliveStream::close);
        }
    }

    private static List<KVGrpc.KVStub> stubs(LoadOptions options, Connections connections) {
        List<KVGrpc.KVStub> stubs = new ArrayList<>(options.clients());
        for (int client = 0; client < options.clients(); client++) stubs.add(kv(connections, client));
        return stubs;
    }

    static void putOnce(Connections connections, ByteString key, ByteString value) {
        KVGrpc.newBlockingStub(connections.forClient(0)).withDeadlineAfter(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setKey(key).setValue(value).build());
    }

    static LoadResult result(LoadOptions options, Driver.Measured measured, Map<String, Long> extra) {
        return new LoadResult(options.command(), options.describe(), measured.succeeded(), measured.failed(),
                measured.elapsedNanos() / 1e9, LoadResult.Latency.of(measured.latencies()), measured.errorKinds(), extra);
    }

    /** A unary call's observer that completes the driver's request. */
    static final class Unary<T> implements StreamObserver<T> {
        private final Driver.Completion completion;

        Unary(Driver.Completion completion) {
            this.completion = completion;
        }

        @Override
        public void onNext(T response) {
        }

        @Override
        public void onError(Throwable error) {
            completion.failed(error);
        }

        @Override
        public void onCompleted() {
            completion.succeeded();
        }
    }

    /**
     * One client's LeaseKeepAlive stream. The driver keeps one request in flight per client, so
     * at most one completion waits here; sends come from that client's previous completion only.
     */
    private static final class KeepAliveStream implements StreamObserver<LeaseKeepAliveResponse> {
        private final long leaseId;
        private final StreamObserver<LeaseKeepAliveRequest> requests;
        private volatile Driver.Completion waiting;
        private volatile Throwable broken;

        KeepAliveStream(LeaseGrpc.LeaseStub stub, long leaseId) {
            this.leaseId = leaseId;
            this.requests = stub.leaseKeepAlive(this);
        }

        void keepAlive(Driver.Completion completion) {
            Throwable error = broken;
            if (error != null) {
                completion.failed(error);
                return;
            }
            waiting = completion;
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build());
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            Driver.Completion completion = waiting;
            waiting = null;
            if (completion == null) return;
            if (response.getTTL() <= 0) completion.failed(new IllegalStateException("lease " + leaseId + " not found (TTL " + response.getTTL() + ")"));
            else completion.succeeded();
        }

        @Override
        public void onError(Throwable error) {
            broken = error;
            Driver.Completion completion = waiting;
            waiting = null;
            if (completion != null) completion.failed(error);
        }

        @Override
        public void onCompleted() {
            onError(new IllegalStateException("the server closed the keep-alive stream"));
        }

        void close() {
            try {
                requests.onCompleted();
            } catch (RuntimeException ignored) {
                // already closed by the server
            }
        }
    }
}
