package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A running peer endpoint: carries one member's Raft traffic to and from the other members of its
 * cluster, started by {@link TransportProvider#startPeerEndpoint}. Frames are opaque bytes to the
 * transport; it adds its own envelope (cluster id, sender id) and refuses frames of another cluster.
 *
 * <p>Delivery: best effort and in order per peer, like etcd's rafthttp streams. A frame may be lost
 * (peer down, queue full, reconnect): Raft retransmits, so the transport never retries a frame
 * itself and never blocks a sender. Connections are made lazily and re-made with backoff after a
 * failure.
 *
 * <p>Threading: every method is safe from any thread and returns without waiting for the network.
 * Ownership: the caller owns the endpoint and must close it; the endpoint never calls the handler
 * after {@link #close()} returns.
 */
@Experimental("new with issue 6")
public interface PeerEndpoint extends AutoCloseable {

    /** The id of the transport carrying this endpoint, such as {@code grpc}. */
    String transportId();

    /**
     * The URLs other members reach this endpoint at, one per configured listen URL, in order, with
     * the port actually bound. Unmodifiable.
     */
    List<URI> boundUrls();

    /**
     * Sets the members this endpoint sends to: member id → its advertised peer URLs (tried in order).
     * Replaces the previous set: connections to members no longer listed are closed and their queued
     * frames dropped; this member's own id, if present, is ignored.
     *
     * @throws NullPointerException if {@code peers} or a value is null
     * @throws IllegalArgumentException if a member has no URL, a URL is not {@code http(s)://host:port},
     *     or a URL is {@code https} while {@link PeerEndpointConfig#tls()} is empty
     */
    void updatePeers(Map<Long, List<URI>> peers);

    /**
     * Queues {@code frame} for member {@code to}, and returns at once. Ownership: the transport owns the
     * buffer from this call on; the caller must not change it.
     *
     * @return false if the frame was dropped at once (unknown member, queue full, endpoint closed, or
     *     larger than {@link PeerEndpointConfig#maxFrameBytes()}, which a receiver configured alike
     *     would refuse); {@link PeerHandler#unreachable} is called as well in the first two cases
     */
    boolean send(long to, ByteBuffer frame);

    /**
     * Streams a snapshot to member {@code to} on a connection of its own, so that the frames of other
     * members are not held up: first {@code message} (the Raft snapshot message, delivered to the
     * receiver's {@link PeerHandler#receiveSnapshot}), then the bytes of {@code data} in chunks, read
     * on a transport thread and closed by the transport when done or failed.
     *
     * @return completes normally once the receiver has stored the snapshot; exceptionally if the
     *     stream fails, the receiver refuses it, or the endpoint is closed (the caller then reports
     *     the snapshot failed to Raft, which will try again)
     */
    CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data);

    /**
     * Stops the endpoint: closes the listeners and every connection, drops queued frames, fails
     * snapshot transfers in progress. Blocks until its addresses are released. Idempotent.
     */
    @Override
    void close();
}
