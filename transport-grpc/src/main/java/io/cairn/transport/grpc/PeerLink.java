package io.cairn.transport.grpc;

import io.cairn.spi.transport.peer.PeerLinks;
import com.google.protobuf.UnsafeByteOperations;

import io.cairn.transport.grpc.peer.FrameBatch;
import io.cairn.transport.grpc.peer.FrameStreamMessage;
import io.cairn.transport.grpc.peer.PeerTransportGrpc;
import io.cairn.transport.grpc.peer.StreamAccepted;
import io.cairn.transport.grpc.peer.StreamHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The frames of one member to one peer: a bounded queue, drained onto one long-lived
 * {@code PeerTransport.Frames} stream while gRPC says the stream is ready, so a peer that reads
 * slowly or not at all holds at most {@code maxQueuedFrames} frames here and gRPC's flow-control
 * window on the wire.
 *
 * <h2>Lifecycle of the stream</h2>
 * Opened lazily, when a frame is queued and none is open. When it fails (refused, connection lost,
 * peer gone), the peer is reported unreachable and the next stream is opened after a backoff that
 * doubles from {@link #INITIAL_BACKOFF_MILLIS} up to {@link #MAX_BACKOFF_MILLIS}, and falls back to
 * the initial value once a receiver accepts a stream. Frames queued meanwhile stay queued (in
 * order) up to the bound; frames already handed to a failed stream are lost, which Raft tolerates.
 *
 * <h2>Threading</h2>
 * {@link #offer} is called from any thread; the work on the stream (opening, draining) happens in
 * {@link #pump} on the endpoint's callback executor, one pump at a time per link. gRPC's stream
 * observer is used only under this object's lock; gRPC never calls back into it synchronously.
 */
final class PeerLink implements PeerLinks.Link {

    static final long INITIAL_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 2_000;

    /** Frames are packed into one gRPC message up to this many bytes (a larger frame goes alone). */
    static final int BATCH_BYTES = 1 << 20;

    private static final System.Logger LOG = System.getLogger(PeerLink.class.getName());

    private final GrpcPeerEndpoint endpoint;
    private final long peerId;
    private final List<URI> urls;
    private final StreamHeader header;

    // Guarded by this.
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private int urlIndex;
    private ManagedChannel channel;
    /** The open stream, or null. */
    private ClientCallStreamObserver<FrameStreamMessage> stream;
    /** Tells callbacks of an earlier stream from the current one's. */
    private long generation;
    private boolean pumpScheduled;
    private boolean backingOff;
    private long backoffMillis = INITIAL_BACKOFF_MILLIS;
    private boolean closed;
    /** The last failure of a stream, null once a receiver accepted one; logged when it changes. */
    private String lastFailure;

    PeerLink(GrpcPeerEndpoint endpoint, long peerId, List<URI> urls) {
        this.endpoint = endpoint;
        this.peerId = peerId;
        this.urls = List.copyOf(urls);
        this.header = StreamHeader.newBuilder().setClusterId(endpoint.config().clusterId())
                .setSenderId(endpoint.config().memberId()).setRecipientId(peerId).build();
    }

    @Override
    public List<URI> urls() {
        return urls;
    }

    /** The URL streams currently go to (the next after a failure, if the peer has several). */
    synchronized URI currentUrl() {
        return urls.get(urlIndex);
    }

    /**
     * Queues {@code frame}, or drops it if the queue is full or the link closed.
     *
     * @return whether it was queued; if the queue was full, the caller reports the peer unreachable
     */
    boolean offer(ByteBuffer frame) {
        synchronized (this) {
            if (closed || queue.size() >= endpoint.config().maxQueuedFrames()) {
                return false;
            }
            queue.add(frame);
            if (stream != null && !stream.isReady()) {
                return true; // onReady will pump
            }
        }
        schedulePump();
        return true;
    }

    /** The last stream failure, for tests and diagnostics; null while a stream is accepted or none failed. */
    synchronized String lastFailure() {
        return lastFailure;
    }

    /** Cancels the stream, drops the queue and the connection. Idempotent. */
    @Override
    public void close() {
        ManagedChannel toShut;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            if (stream != null) {
                cancelQuietly(stream, "the peer endpoint stopped sending to member " + Long.toHexString(peerId));
                stream = null;
            }
            toShut = channel;
            channel = null;
        }
        if (toShut != null) {
            toShut.shutdownNow();
            endpoint.awaitChannel(toShut);
        }
    }

    private void schedulePump() {
        synchronized (this) {
            if (pumpScheduled || closed) {
                return;
            }
            pumpScheduled = true;
        }
        if (!endpoint.execute(this::pump)) {
            synchronized (this) {
                pumpScheduled = false;
            }
        }
    }

    /** Opens a stream if there is something to send and none is open, then sends while gRPC is ready. */
    private void pump() {
        synchronized (this) {
            pumpScheduled = false;
            if (closed) {
                return;
            }
            if (stream == null) {
                if (backingOff || queue.isEmpty()) {
                    return;
                }
                openStream();
            }
            try {
                while (stream != null && stream.isReady() && !queue.isEmpty()) {
                    stream.onNext(FrameStreamMessage.newBuilder().setBatch(nextBatch()).build());
                }
            } catch (StatusRuntimeException | IllegalStateException callGone) {
                // the call ended under us; its onError callback reopens
            }
        }
    }

    private FrameBatch nextBatch() {
        FrameBatch.Builder batch = FrameBatch.newBuilder();
        long bytes = 0;
        while (!queue.isEmpty()) {
            int size = queue.peek().remaining();
            if (batch.getFramesCount() > 0 && bytes + size > BATCH_BYTES) {
                break;
            }
            bytes += size;
            // the transport owns the frame from send() on and nobody writes to it: no copy needed
            batch.addFrames(UnsafeByteOperations.unsafeWrap(queue.poll()));
        }
        return batch.build();
    }

    // Called under the lock.
    private void openStream() {
        if (channel == null) {
            channel = endpoint.newChannel(urls.get(urlIndex));
        }
        long streamGeneration = ++generation;
        ClientResponseObserver<FrameStreamMessage, StreamAccepted> answers = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<FrameStreamMessage> requests) {
                requests.setOnReadyHandler(() -> onReady(streamGeneration));
            }

            @Override
            public void onNext(StreamAccepted accepted) {
                onAccepted(streamGeneration);
            }

            @Override
            public void onError(Throwable failure) {
                onStreamEnded(streamGeneration, Status.fromThrowable(failure));
            }

            @Override
            public void onCompleted() {
                onStreamEnded(streamGeneration, Status.UNAVAILABLE.withDescription("the receiver ended the stream"));
            }
        };
        stream = (ClientCallStreamObserver<FrameStreamMessage>) PeerTransportGrpc.newStub(channel).frames(answers);
        stream.onNext(FrameStreamMessage.newBuilder().setHeader(header).build());
    }

    private void onReady(long streamGeneration) {
        synchronized (this) {
            if (streamGeneration != generation) {
                return;
            }
        }
        schedulePump();
    }

    private synchronized void onAccepted(long streamGeneration) {
        if (streamGeneration != generation || closed) {
            return;
        }
        if (lastFailure != null) {
            LOG.log(System.Logger.Level.INFO, "stream to member {0} at {1} accepted again", Long.toHexString(peerId),
                    urls.get(urlIndex));
        }
        lastFailure = null;
        backoffMillis = INITIAL_BACKOFF_MILLIS;
    }

    private void onStreamEnded(long streamGeneration, Status status) {
        synchronized (this) {
            if (streamGeneration != generation || closed) {
                return;
            }
            if (stream != null) {
                cancelQuietly(stream, "stream failed");
                stream = null;
            }
            URI url = urls.get(urlIndex);
            String failure = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            if (!failure.equals(lastFailure)) {
                // Once per kind of failure, not once per retry: a member down for an hour would
                // otherwise log every two seconds.
                LOG.log(System.Logger.Level.WARNING, "stream to member {0} at {1} failed ({2}); retrying with backoff",
                        Long.toHexString(peerId), url, failure);
            }
            lastFailure = failure;
            if (urls.size() > 1) {
                ManagedChannel old = channel;
                channel = null;
                urlIndex = (urlIndex + 1) % urls.size();
                if (old != null) {
                    old.shutdownNow();
                }
            }
            backingOff = true;
            long delay = backoffMillis;
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            endpoint.schedule(this::backoffOver, delay, TimeUnit.MILLISECONDS);
        }
        endpoint.gate().unreachable(peerId);
    }

    private void backoffOver() {
        synchronized (this) {
            backingOff = false;
            if (closed) {
                return;
            }
            if (channel != null) {
                // Our backoff, not the channel's (which grows to minutes), decides when to try again.
                channel.resetConnectBackoff();
            }
        }
        schedulePump();
    }

    private static void cancelQuietly(ClientCallStreamObserver<?> call, String why) {
        try {
            call.cancel(why, null);
        } catch (RuntimeException ignored) {
            // already ended
        }
    }

    @Override
    public String toString() {
        return "link to member " + Long.toHexString(peerId) + " " + urls;
    }
}
