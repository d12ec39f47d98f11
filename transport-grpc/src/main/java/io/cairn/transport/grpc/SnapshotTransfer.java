package io.cairn.transport.grpc;

import com.google.protobuf.ByteString;

import io.cairn.spi.transport.TransportException;
import io.cairn.transport.grpc.peer.PeerTransportGrpc;
import io.cairn.transport.grpc.peer.SnapshotHeader;
import io.cairn.transport.grpc.peer.SnapshotStored;
import io.cairn.transport.grpc.peer.SnapshotStreamMessage;
import io.cairn.transport.grpc.peer.StreamHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One outgoing snapshot, run on a snapshot thread of the endpoint: a {@code PeerTransport.Snapshot}
 * call on a channel of its own (so the peer's frames do not wait behind gigabytes), the header,
 * then the data in chunks of {@link #CHUNK_BYTES}, each read only when gRPC says the call is ready,
 * so at most a chunk and gRPC's window are in memory whatever the snapshot's size.
 *
 * <p>{@link #result} completes normally when the receiver answers that it stored the snapshot, and
 * exceptionally (a {@link TransportException} naming the peer's URL) on any failure: the data
 * fails, the call fails or is refused, or {@link #abort} is called. It completes on a transport
 * thread.
 */
final class SnapshotTransfer implements Runnable {

    static final int CHUNK_BYTES = 1 << 20;

    private final long peerId;
    private final URI url;
    private final StreamHeader envelope;
    private final ByteBuffer message;
    private final InputStream data;
    private final ManagedChannel channel;
    private final CompletableFuture<Void> result = new CompletableFuture<>();

    // Guarded by this.
    private ClientCallStreamObserver<SnapshotStreamMessage> call;
    private boolean aborted;

    SnapshotTransfer(long peerId, URI url, StreamHeader envelope, ByteBuffer message, InputStream data,
            ManagedChannel channel) {
        this.peerId = peerId;
        this.url = url;
        this.envelope = envelope;
        this.message = message;
        this.data = data;
        this.channel = channel;
    }

    CompletableFuture<Void> result() {
        return result;
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void run() {
        try (InputStream input = data) {
            ClientCallStreamObserver<SnapshotStreamMessage> started = start();
            if (started == null) {
                return;
            }
            synchronized (this) {
                started.onNext(SnapshotStreamMessage.newBuilder()
                        .setHeader(SnapshotHeader.newBuilder().setEnvelope(envelope).setMessage(ByteString.copyFrom(message)))
                        .build());
            }
            byte[] buffer = new byte[CHUNK_BYTES];
            while (true) {
                if (!awaitReady(started)) {
                    return; // failed or aborted: result is complete already
                }
                int n = input.readNBytes(buffer, 0, buffer.length);
                if (n == 0) {
                    break;
                }
                synchronized (this) {
                    if (result.isDone()) {
                        return;
                    }
                    started.onNext(SnapshotStreamMessage.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, n)).build());
                }
                if (n < buffer.length) {
                    break; // readNBytes returns short only at the end of the stream
                }
            }
            synchronized (this) {
                if (!result.isDone()) {
                    started.onCompleted(); // the answer completes the result
                }
            }
        } catch (IOException | RuntimeException failure) {
            fail("reading the snapshot data failed: " + failure.getMessage(), failure);
        } finally {
            channel.shutdown(); // lets the call finish, then releases the connection
        }
    }

    /** For a transfer that will never run: closes its data and its channel. */
    void discardData() {
        try {
            data.close();
        } catch (IOException | RuntimeException ignored) {
            // handed over to us; nothing more to do with it
        }
        channel.shutdownNow();
    }

    /** Fails the transfer (the endpoint is closing) and cancels its call. */
    void abort(String why) {
        synchronized (this) {
            aborted = true;
        }
        fail(why, null);
    }

    private ClientCallStreamObserver<SnapshotStreamMessage> start() {
        ClientResponseObserver<SnapshotStreamMessage, SnapshotStored> answers = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SnapshotStreamMessage> requests) {
                requests.setOnReadyHandler(SnapshotTransfer.this::wakeUp);
            }

            @Override
            public void onNext(SnapshotStored stored) {
                result.complete(null);
                wakeUp();
            }

            @Override
            public void onError(Throwable failure) {
                Status status = Status.fromThrowable(failure);
                fail("member " + Long.toHexString(peerId) + " did not take the snapshot: " + status.getCode()
                        + (status.getDescription() == null ? "" : ": " + status.getDescription()), failure);
            }

            @Override
            public void onCompleted() {
                result.complete(null);
                wakeUp();
            }
        };
        synchronized (this) {
            if (aborted) {
                return null;
            }
            call = (ClientCallStreamObserver<SnapshotStreamMessage>) PeerTransportGrpc.newStub(channel).snapshot(answers);
            return call;
        }
    }

    /** Waits until gRPC takes another chunk; false if the transfer ended meanwhile. */
    private synchronized boolean awaitReady(ClientCallStreamObserver<SnapshotStreamMessage> started) throws IOException {
        while (!result.isDone() && !started.isReady()) {
            try {
                wait();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", interrupted);
            }
        }
        return !result.isDone();
    }

    private synchronized void wakeUp() {
        notifyAll();
    }

    private void fail(String why, Throwable cause) {
        boolean first = result.completeExceptionally(new TransportException(url.toString(),
                "snapshot to member " + Long.toHexString(peerId) + ": " + why, cause));
        synchronized (this) {
            notifyAll();
            if (first && call != null) {
                try {
                    call.cancel(why, cause); // under the lock: the observer is not thread-safe
                } catch (RuntimeException ignored) {
                    // ended already
                }
            }
        }
    }
}
