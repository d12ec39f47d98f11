package io.cairn.transport.http;

import io.cairn.spi.transport.peer.PeerLinks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames to one peer: a bounded queue, and a thread of its own that posts what is queued as one
 * batch ({@link PeerWire#FRAMES_PATH}) and waits for the answer before the next, so frames arrive
 * in queue order. A failed post (refused, connection refused or lost, timed out) reports the peer
 * unreachable and is followed by a backoff of {@link #MIN_BACKOFF_MILLIS} doubling to
 * {@link #MAX_BACKOFF_MILLIS}, on the peer's next URL; frames queued meanwhile are kept, the batch
 * that failed is lost (Raft retransmits).
 */
final class HttpPeerLink implements PeerLinks.Link {

    /** A batch carries the queued frames up to this many bytes (a single larger frame goes alone). */
    static final int BATCH_BYTES = 1 << 20;
    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 2000;

    private static final System.Logger LOG = System.getLogger(HttpPeerLink.class.getName());

    private final HttpPeerEndpoint endpoint;
    private final long peerId;
    private final List<URI> urls;
    private final Thread sender;

    // Guarded by this. Invariant: queue.size() <= maxQueuedFrames.
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private boolean closed;
    private int urlIndex;
    private HttpURLConnection inFlight;
    private String lastFailure;
    private String lastLoggedFailureKind;

    HttpPeerLink(HttpPeerEndpoint endpoint, long peerId, List<URI> urls) {
        this.endpoint = endpoint;
        this.peerId = peerId;
        this.urls = List.copyOf(urls);
        this.sender = new Thread(this::run, "cairn-http-peer-" + PeerWire.hex(endpoint.config().memberId()) + "-to-"
                + PeerWire.hex(peerId));
        this.sender.setDaemon(true);
        this.sender.start();
    }

    @Override
    public List<URI> urls() {
        return urls;
    }

    synchronized URI currentUrl() {
        return urls.get(urlIndex);
    }

    synchronized String lastFailure() {
        return lastFailure;
    }

    /** Queues {@code frame}; false if the queue is full or the link closed. */
    synchronized boolean offer(ByteBuffer frame) {
        if (closed || queue.size() >= endpoint.config().maxQueuedFrames()) {
            return false;
        }
        queue.addLast(frame);
        notifyAll();
        return true;
    }

    /** Stops the thread, drops the queue and cuts the batch in flight; waits briefly for the thread. */
    @Override
    public void close() {
        HttpURLConnection cut;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            cut = inFlight;
            notifyAll();
        }
        if (cut != null) {
            cut.disconnect();
        }
        sender.interrupt();
        try {
            sender.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        boolean failing = false;
        while (true) {
            List<ByteBuffer> batch = takeBatch();
            if (batch == null) {
                return;
            }
            URI url = currentUrl();
            try {
                post(url, batch);
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "frames to member {0} at {1} accepted again", PeerWire.hex(peerId), url);
                    synchronized (this) {
                        lastLoggedFailureKind = null;
                    }
                }
                failing = false;
                backoff = MIN_BACKOFF_MILLIS;
            } catch (IOException | RuntimeException failure) {
                if (isClosed()) {
                    return;
                }
                failing = true;
                onFailure(url, failure);
                endpoint.gate().unreachable(peerId);
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /** Waits for frames, then takes those that fit in a batch; null once closed. */
    private synchronized List<ByteBuffer> takeBatch() {
        while (queue.isEmpty() && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                // close() interrupts; the loop checks closed
            }
        }
        if (closed) {
            return null;
        }
        List<ByteBuffer> batch = new ArrayList<>();
        long bytes = 0;
        while (!queue.isEmpty() && (batch.isEmpty() || bytes + 4 + queue.peekFirst().remaining() <= BATCH_BYTES)) {
            ByteBuffer frame = queue.pollFirst();
            bytes += 4 + frame.remaining();
            batch.add(frame);
        }
        return batch;
    }

    private void post(URI url, List<ByteBuffer> batch) throws IOException {
        int length = 0;
        for (ByteBuffer frame : batch) {
            length += 4 + frame.remaining();
        }
        byte[] body = new byte[length];
        int offset = 0;
        for (ByteBuffer frame : batch) {
            int size = frame.remaining();
            PeerWire.putLength(body, offset, size);
            frame.duplicate().get(body, offset + 4, size);
            offset += 4 + size;
        }
        HttpURLConnection connection = endpoint.open(url, PeerWire.FRAMES_PATH, peerId);
        synchronized (this) {
            if (closed) {
                return;
            }
            inFlight = connection;
        }
        try {
            connection.setFixedLengthStreamingMode(body.length);
            connection.setReadTimeout(HttpPeerEndpoint.FRAMES_READ_TIMEOUT_MILLIS);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            HttpPeerEndpoint.expectNoContent(connection);
        } finally {
            synchronized (this) {
                inFlight = null;
            }
        }
    }

    private void onFailure(URI url, Throwable failure) {
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        String kind = failure instanceof PeerRefusedException refused ? "refused " + refused.status() : failure.getClass().getName();
        boolean log;
        synchronized (this) {
            lastFailure = message;
            log = !kind.equals(lastLoggedFailureKind);
            lastLoggedFailureKind = kind;
            urlIndex = (urlIndex + 1) % urls.size();
        }
        if (log) {
            LOG.log(System.Logger.Level.WARNING, "frames to member {0} at {1} failed ({2}); retrying with backoff",
                    PeerWire.hex(peerId), url, message);
        }
    }

    /** Sleeps {@code millis} unless closed first; false if closed. */
    private synchronized boolean pause(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                // close() interrupts; the loop checks closed
            }
        }
        return false;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Reads and closes what is left of a response body, so that the connection is kept for the next request. */
    static String drain(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
    }
}
