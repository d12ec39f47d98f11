package io.cairn.transport.grpc;

import static io.cairn.transport.grpc.PeerTestSupport.await;
import static io.cairn.transport.grpc.PeerTestSupport.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.transport.TransportException;
import io.cairn.transport.grpc.PeerTestSupport.RecordingHandler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Snapshots streamed between real peer endpoints: byte for byte, with backpressure, and failing both ways. */
class PeerSnapshotTest {

    private static final int MIB = 1 << 20;

    /** Pseudo-random bytes made as they are read (never held whole), with a digest of what was read. */
    private static final class GeneratedData extends InputStream {
        private final long size;
        private final SplittableRandom random = new SplittableRandom(42);
        private final MessageDigest digest = sha256();
        private final long failAfter;
        final AtomicLong produced = new AtomicLong();
        final AtomicBoolean closed = new AtomicBoolean();

        GeneratedData(long size, long failAfter) {
            this.size = size;
            this.failAfter = failAfter;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int from, int length) throws IOException {
            long done = produced.get();
            if (done >= failAfter) {
                throw new IOException("disk read error at byte " + done);
            }
            if (done >= size) {
                return -1;
            }
            int n = (int) Math.min(length, Math.min(size - done, 64 * 1024));
            for (int i = 0; i < n; i++) {
                into[from + i] = (byte) random.nextInt(256);
            }
            digest.update(into, from, n);
            produced.addAndGet(n);
            return n;
        }

        @Override
        public void close() {
            closed.set(true);
        }

        byte[] digest() {
            return digest.digest();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static ByteBuffer message(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFiftyMegabyteSnapshotArrivesWholeWithBoundedMemory() throws Exception {
        long size = 50L * MIB;
        RecordingHandler receiverHandler = new RecordingHandler();
        AtomicLong consumed = new AtomicLong();
        AtomicReference<byte[]> receivedDigest = new AtomicReference<>();
        AtomicReference<String> receivedMessage = new AtomicReference<>();
        AtomicLong receivedFrom = new AtomicLong();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        receiverHandler.snapshots = (from, message, data) -> {
            receivedFrom.set(from);
            receivedMessage.set(StandardCharsets.UTF_8.decode(message).toString());
            MessageDigest digest = sha256();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = data.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                if (consumed.addAndGet(n) >= MIB && paused.getCount() > 0) {
                    paused.countDown();
                    try {
                        resume.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }
            receivedDigest.set(digest.digest());
        };
        try (GrpcPeerEndpoint sender = start(1, new RecordingHandler()); GrpcPeerEndpoint receiver = start(2, receiverHandler)) {
            sender.updatePeers(Map.of(2L, receiver.boundUrls()));
            GeneratedData data = new GeneratedData(size, Long.MAX_VALUE);
            CompletableFuture<Void> sent = sender.sendSnapshot(2, message("snapshot at index 77"), data);

            // While the receiver does not read, the sender stops reading too: what it read ahead is bounded by
            // the prefetched chunks, gRPC's window and the socket buffers, not by the snapshot's size.
            assertTrue(paused.await(20, TimeUnit.SECONDS), "the receiver started reading");
            long previous = -1;
            while (data.produced.get() != previous) { // until the sender has stalled
                previous = data.produced.get();
                Thread.sleep(300);
            }
            long aheadOfReader = data.produced.get() - consumed.get();
            assertTrue(aheadOfReader < 8L * MIB, "sender read " + aheadOfReader + " bytes ahead of a stalled receiver");
            assertTrue(!sent.isDone(), "not stored yet");

            resume.countDown();
            sent.get(60, TimeUnit.SECONDS);
            assertEquals(size, consumed.get(), "every byte arrived");
            assertArrayEquals(data.digest(), receivedDigest.get(), "byte-identical");
            assertEquals("snapshot at index 77", receivedMessage.get());
            assertEquals(1, receivedFrom.get());
            assertTrue(data.closed.get(), "the transport closed the sender's data");
        } finally {
            resume.countDown();
        }
    }

    @Test
    void aReceiverThatCannotStoreTheSnapshotFailsTheSendersFuture() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        receiverHandler.snapshots = (from, message, data) -> {
            data.readNBytes(3 * MIB);
            throw new IOException("no space left on device");
        };
        try (GrpcPeerEndpoint sender = start(1, new RecordingHandler()); GrpcPeerEndpoint receiver = start(2, receiverHandler)) {
            sender.updatePeers(Map.of(2L, receiver.boundUrls()));
            GeneratedData data = new GeneratedData(20L * MIB, Long.MAX_VALUE);
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> sender.sendSnapshot(2, message("s"), data).get(30, TimeUnit.SECONDS));
            TransportException cause = assertInstanceOf(TransportException.class, failure.getCause());
            assertTrue(cause.getMessage().contains("no space left on device"), cause.getMessage());
            assertEquals(receiver.boundUrls().get(0).toString(), cause.address());
            await(data.closed::get, () -> "the transport closed the sender's data");
        }
    }

    @Test
    void aFailureOfTheSendersDataFailsTheReceiversRead() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        AtomicLong read = new AtomicLong();
        CountDownLatch handlerDone = new CountDownLatch(1);
        receiverHandler.snapshots = (from, message, data) -> {
            try {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = data.read(buffer)) >= 0) {
                    read.addAndGet(n);
                }
            } catch (IOException broken) {
                readFailure.set(broken);
                throw broken;
            } finally {
                handlerDone.countDown();
            }
        };
        try (GrpcPeerEndpoint sender = start(1, new RecordingHandler()); GrpcPeerEndpoint receiver = start(2, receiverHandler)) {
            sender.updatePeers(Map.of(2L, receiver.boundUrls()));
            GeneratedData data = new GeneratedData(20L * MIB, 3L * MIB);
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> sender.sendSnapshot(2, message("s"), data).get(30, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("disk read error"), failure.getCause().getMessage());
            assertTrue(handlerDone.await(20, TimeUnit.SECONDS), "the receiver's handler returned");
            assertNotNull(readFailure.get(), "the receiver's read failed instead of ending early; read " + read.get());
            assertTrue(read.get() <= 3L * MIB, "read no more than was sent: " + read.get());
        }
    }

    @Test
    void aSnapshotFromAnotherClusterIsRefusedBeforeTheHandlerSeesIt() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        AtomicBoolean handlerCalled = new AtomicBoolean();
        receiverHandler.snapshots = (from, message, data) -> handlerCalled.set(true);
        try (GrpcPeerEndpoint sender = GrpcPeerEndpoint.start(
                io.cairn.spi.transport.PeerEndpointConfig.of(PeerTestSupport.CLUSTER + 1, 1, PeerTestSupport.anyPort()),
                new RecordingHandler());
                GrpcPeerEndpoint receiver = start(2, receiverHandler)) {
            sender.updatePeers(Map.of(2L, receiver.boundUrls()));
            GeneratedData data = new GeneratedData(5L * MIB, Long.MAX_VALUE);
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> sender.sendSnapshot(2, message("s"), data).get(30, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("FAILED_PRECONDITION: cluster ID mismatch"),
                    failure.getCause().getMessage());
            assertTrue(!handlerCalled.get(), "the handler never saw the snapshot");
            assertEquals(1, receiver.refusedStreams());
        }
    }

    @Test
    void aSnapshotToAnUnknownMemberFailsAtOnce() {
        try (GrpcPeerEndpoint sender = start(1, new RecordingHandler())) {
            GeneratedData data = new GeneratedData(10, Long.MAX_VALUE);
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> sender.sendSnapshot(9, message("s"), data).get(10, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("no peer URL known for member 9"), failure.getCause().getMessage());
            assertTrue(data.closed.get());
        }
    }

    @Test
    void closingTheReceiverFailsItsSnapshotInProgressAndTheSendersFuture() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        CountDownLatch reading = new CountDownLatch(1);
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        receiverHandler.snapshots = (from, message, data) -> {
            data.readNBytes(MIB);
            reading.countDown();
            try {
                data.readAllBytes(); // the sender never ends: only close() stops this
            } catch (IOException closed) {
                readFailure.set(closed);
                throw closed;
            }
        };
        try (GrpcPeerEndpoint sender = start(1, new RecordingHandler())) {
            GrpcPeerEndpoint receiver = start(2, receiverHandler);
            sender.updatePeers(Map.of(2L, receiver.boundUrls()));
            CompletableFuture<Void> sent = sender.sendSnapshot(2, message("s"), new GeneratedData(Long.MAX_VALUE, Long.MAX_VALUE));
            assertTrue(reading.await(20, TimeUnit.SECONDS));
            receiver.close();
            assertNotNull(readFailure.get(), "the handler's read failed before close returned");
            assertThrows(ExecutionException.class, () -> sent.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingTheSenderFailsItsTransfers() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        CountDownLatch reading = new CountDownLatch(1);
        receiverHandler.snapshots = (from, message, data) -> {
            reading.countDown();
            data.readAllBytes();
        };
        try (GrpcPeerEndpoint receiver = start(2, receiverHandler)) {
            GrpcPeerEndpoint sender = start(1, new RecordingHandler());
            sender.updatePeers(Map.of(2L, List.copyOf(receiver.boundUrls())));
            GeneratedData endless = new GeneratedData(Long.MAX_VALUE, Long.MAX_VALUE);
            CompletableFuture<Void> sent = sender.sendSnapshot(2, message("s"), endless);
            assertTrue(reading.await(20, TimeUnit.SECONDS));
            sender.close();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> sent.get(20, TimeUnit.SECONDS));
            assertTrue(failure.getCause().getMessage().contains("peer endpoint closed"), failure.getCause().getMessage());
            await(endless.closed::get, () -> "the transport closed the sender's data");
        }
    }
}
