package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * What a peer endpoint delivers to its member: implemented by the server, called by the transport.
 *
 * <p>Threading: every method is called from transport threads, possibly concurrently for different
 * peers; frames from one peer arrive in the order that peer sent them on one connection (a
 * reconnect may lose frames in between, never reorder them within a connection). Implementations
 * must be thread-safe.
 *
 * <p>Failure: an exception thrown by {@link #receive} or {@link #unreachable} is logged by the
 * transport and otherwise ignored (the frame counts as lost, which Raft tolerates).
 */
@Experimental("new with issue 6")
public interface PeerHandler {

    /**
     * A frame (an encoded Raft message, opaque to the transport) arrived from member {@code from}
     * of this member's cluster.
     *
     * <p>Must not block: hand the frame to the member's own thread and return. Ownership: the buffer
     * is the handler's from this call on (the transport does not reuse it); its position is 0 and
     * its limit the frame's length.
     */
    void receive(long from, ByteBuffer frame);

    /**
     * A snapshot arrived from member {@code from}: {@code message} is the frame the sender passed to
     * {@link PeerEndpoint#sendSnapshot} (the Raft snapshot message), {@code data} the snapshot's
     * bytes as the sender's stream produced them.
     *
     * <p>Blocking: may block the calling transport thread while it reads {@code data} (a transport
     * runs each incoming snapshot on a thread of its own). Returns once the snapshot is stored and
     * handed to the member; the sender's {@link PeerEndpoint#sendSnapshot} future then completes
     * normally. The transport closes {@code data} after this returns.
     *
     * @throws IOException if {@code data} fails (truncated, connection lost) or the snapshot cannot be
     *     stored; the member keeps its state, and the sender's future fails
     */
    void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException;

    /**
     * Frames to {@code peer} are being lost: it cannot be reached, or its queue overflowed. The
     * member tells Raft (which then probes that peer instead of streaming to it). Must not block.
     */
    void unreachable(long peer);
}
