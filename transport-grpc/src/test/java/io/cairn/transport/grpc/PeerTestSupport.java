package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Handlers that record what a peer endpoint delivers, and small helpers for the peer tests. */
final class PeerTestSupport {

    static final long CLUSTER = 0xC1A5_7E12L;

    private PeerTestSupport() {}

    /** What a handler does with a snapshot. */
    interface SnapshotReceiver {
        void receive(long from, ByteBuffer message, InputStream data) throws IOException;
    }

    /** Records frames (their sequence numbers, per sender), unreachable reports and what its snapshot receiver does. */
    static final class RecordingHandler implements PeerHandler {
        final Map<Long, List<Long>> sequences = new ConcurrentHashMap<>();
        final Map<Long, AtomicInteger> unreachable = new ConcurrentHashMap<>();
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger largestFrame = new AtomicInteger();
        volatile SnapshotReceiver snapshots = (from, message, data) -> {
            throw new IOException("this handler takes no snapshots");
        };

        @Override
        public void receive(long from, ByteBuffer frame) {
            largestFrame.accumulateAndGet(frame.remaining(), Math::max);
            List<Long> list = sequences.computeIfAbsent(from, id -> new ArrayList<>());
            synchronized (list) {
                list.add(frame.getLong(0));
            }
            frames.incrementAndGet();
        }

        @Override
        public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
            snapshots.receive(from, message, data);
        }

        @Override
        public void unreachable(long peer) {
            unreachable.computeIfAbsent(peer, id -> new AtomicInteger()).incrementAndGet();
        }

        List<Long> from(long sender) {
            List<Long> list = sequences.getOrDefault(sender, List.of());
            synchronized (list) {
                return List.copyOf(list);
            }
        }

        int unreachableCount(long peer) {
            AtomicInteger count = unreachable.get(peer);
            return count == null ? 0 : count.get();
        }
    }

    /** A frame of {@code size} bytes (at least 8) starting with {@code sequence}. */
    static ByteBuffer frame(long sequence, int size) {
        ByteBuffer frame = ByteBuffer.allocate(Math.max(8, size));
        frame.putLong(0, sequence);
        return frame;
    }

    static URI anyPort() {
        return URI.create("http://127.0.0.1:0");
    }

    static URI port(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A port nothing listens on (bound, then released). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static GrpcPeerEndpoint start(long member, RecordingHandler handler) {
        return GrpcPeerEndpoint.start(PeerEndpointConfig.of(CLUSTER, member, anyPort()), handler);
    }

    /** Waits up to 20 s for {@code condition}; fails with {@code what} (evaluated then) otherwise. */
    static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting: " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting: " + what.get());
            }
        }
    }

    static List<Long> range(long fromInclusive, long toExclusive) {
        List<Long> list = new ArrayList<>();
        for (long i = fromInclusive; i < toExclusive; i++) {
            list.add(i);
        }
        return list;
    }
}
