package io.cairn.transport.http;

import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandlerGate;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving side of the HTTP peer protocol ({@link PeerWire}): checks the envelope, hands frames
 * to the member in body order, and runs an incoming snapshot on the worker thread that reads it (at
 * most {@link HttpPeerEndpoint#MAX_INCOMING_SNAPSHOTS} at once; more are refused with 503, and Raft
 * retries). Requests are read blocking on Undertow's worker threads, so a member that delivers
 * slowly slows its senders through TCP, not through memory.
 */
final class PeerRequests implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(PeerRequests.class.getName());
    private static final int LOGGED_REFUSALS = 64;

    private final PeerEndpointConfig config;
    private final PeerHandlerGate gate;
    private final Semaphore snapshotSlots = new Semaphore(HttpPeerEndpoint.MAX_INCOMING_SNAPSHOTS);
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    private final Set<InputStream> incomingSnapshots = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closing;

    PeerRequests(PeerEndpointConfig config, PeerHandlerGate gate) {
        this.config = config;
        this.gate = gate;
    }

    long refusedRequests() {
        return refused.get();
    }

    /** Fails the data of the snapshots being received (their handlers' reads throw), and refuses new requests. */
    void failIncoming() {
        closing = true;
        for (InputStream data : incomingSnapshots) {
            try {
                data.close();
            } catch (IOException ignored) {
                // the connection goes with the server anyway
            }
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        String path = exchange.getRequestPath();
        boolean frames = PeerWire.FRAMES_PATH.equals(path);
        if (!frames && !PeerWire.SNAPSHOT_PATH.equals(path)) {
            answer(exchange, 404, "404 page not found");
            return;
        }
        if (!Methods.POST.equals(exchange.getRequestMethod())) {
            answer(exchange, 405, "Method Not Allowed");
            return;
        }
        if (closing) {
            answer(exchange, 503, "member " + PeerWire.hex(config.memberId()) + " is stopping");
            return;
        }
        long sender;
        long cluster;
        long recipient;
        try {
            cluster = PeerWire.parseId(exchange.getRequestHeaders().getFirst(PeerWire.CLUSTER));
            sender = PeerWire.parseId(exchange.getRequestHeaders().getFirst(PeerWire.FROM));
            recipient = PeerWire.parseId(exchange.getRequestHeaders().getFirst(PeerWire.TO));
        } catch (NumberFormatException malformed) {
            refuse(exchange, 400, "a peer request needs the headers " + PeerWire.CLUSTER + ", " + PeerWire.FROM + " and "
                    + PeerWire.TO + " (ids in hex)", "malformed");
            return;
        }
        if (cluster != config.clusterId()) {
            // etcd's rafthttp answers a peer of another cluster with 412 "cluster ID mismatch".
            refuse(exchange, 412, "cluster ID mismatch: member " + PeerWire.hex(sender) + " is in cluster "
                    + PeerWire.hex(cluster) + ", this member is in cluster " + PeerWire.hex(config.clusterId()),
                    cluster + "/" + sender + "/" + recipient);
            return;
        }
        if (recipient != config.memberId()) {
            refuse(exchange, 412, "member ID mismatch: member " + PeerWire.hex(sender) + " addressed member "
                    + PeerWire.hex(recipient) + ", this is member " + PeerWire.hex(config.memberId()),
                    cluster + "/" + sender + "/" + recipient);
            return;
        }
        if (sender == 0) {
            refuse(exchange, 400, "a peer request needs a sender id", "no sender");
            return;
        }
        exchange.startBlocking();
        if (frames) {
            receiveFrames(exchange, sender);
        } else {
            receiveSnapshot(exchange, sender);
        }
    }

    private void receiveFrames(HttpServerExchange exchange, long sender) throws IOException {
        InputStream in = exchange.getInputStream();
        while (true) {
            int length = PeerWire.readLength(in);
            if (length < 0) {
                break;
            }
            if (length > config.maxFrameBytes()) {
                String why = "frame of " + length + " bytes from member " + PeerWire.hex(sender)
                        + " exceeds the limit of " + config.maxFrameBytes() + " bytes";
                LOG.log(System.Logger.Level.WARNING, why + "; batch refused");
                answer(exchange, 413, why);
                return;
            }
            byte[] frame = in.readNBytes(length);
            if (frame.length < length) {
                throw new EOFException("the body ends inside a frame from member " + PeerWire.hex(sender));
            }
            gate.receive(sender, ByteBuffer.wrap(frame));
        }
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    private void receiveSnapshot(HttpServerExchange exchange, long sender) throws IOException {
        if (!snapshotSlots.tryAcquire()) {
            answer(exchange, 503, "member " + PeerWire.hex(config.memberId()) + " is receiving "
                    + HttpPeerEndpoint.MAX_INCOMING_SNAPSHOTS + " snapshots already; try again later");
            return;
        }
        SnapshotData data = new SnapshotData(exchange.getInputStream());
        try {
            int length = PeerWire.readLength(data);
            if (length < 0 || length > config.maxFrameBytes()) {
                answer(exchange, 400, length < 0 ? "a snapshot request must start with its message"
                        : "snapshot message of " + length + " bytes exceeds the limit of " + config.maxFrameBytes() + " bytes");
                return;
            }
            byte[] message = data.readNBytes(length);
            if (message.length < length) {
                throw new EOFException("the body ends inside the snapshot message");
            }
            incomingSnapshots.add(data);
            if (closing) {
                answer(exchange, 503, "member " + PeerWire.hex(config.memberId()) + " is stopping");
                return;
            }
            try {
                gate.receiveSnapshot(sender, ByteBuffer.wrap(message), data);
            } catch (IOException | RuntimeException failure) {
                LOG.log(System.Logger.Level.WARNING, "snapshot from member " + PeerWire.hex(sender) + " not stored", failure);
                answer(exchange, 500, "member " + PeerWire.hex(config.memberId()) + " did not store the snapshot: "
                        + failure.getMessage());
                return;
            }
            LOG.log(System.Logger.Level.INFO, "snapshot from member {0} stored ({1} bytes read)", PeerWire.hex(sender),
                    data.bytesRead);
            exchange.setStatusCode(204);
            exchange.endExchange();
        } finally {
            incomingSnapshots.remove(data);
            snapshotSlots.release();
        }
    }

    /**
     * The body of an incoming snapshot as the handler reads it: counts bytes, and fails every read
     * once {@link #failIncoming} closed it (the endpoint is closing).
     */
    private static final class SnapshotData extends FilterInputStream {
        private volatile boolean failed;
        long bytesRead;

        SnapshotData(InputStream body) {
            super(body);
        }

        @Override
        public int read() throws IOException {
            check();
            int b = super.read();
            if (b >= 0) {
                bytesRead++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check();
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                bytesRead += n;
            }
            return n;
        }

        @Override
        public void close() {
            failed = true; // by failIncoming(), or by the handler once done; the next read fails either way
        }

        private void check() throws IOException {
            if (failed) {
                throw new IOException("peer endpoint closed");
            }
        }
    }

    private void refuse(HttpServerExchange exchange, int status, String why, String logKey) {
        refused.incrementAndGet();
        if (refusalsLogged.size() < LOGGED_REFUSALS && refusalsLogged.add(logKey)) {
            LOG.log(System.Logger.Level.WARNING, "refused a peer request: " + why);
        }
        answer(exchange, status, why);
    }

    private static void answer(HttpServerExchange exchange, int status, String text) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(status);
        if (!exchange.isRequestComplete()) {
            exchange.setPersistent(false); // do not read the rest of a refused body (a snapshot's, say)
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (exchange.isBlocking()) {
            try {
                exchange.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException gone) {
                // the sender went away first
            }
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(text, StandardCharsets.UTF_8);
        }
    }
}
