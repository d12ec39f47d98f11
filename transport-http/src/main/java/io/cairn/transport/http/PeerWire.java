package io.cairn.transport.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The HTTP peer protocol (Cairn's own; etcd's members speak rafthttp, so only Cairn members of the
 * same version talk to each other). See PEER.md in this module.
 *
 * <ul>
 *   <li>{@code POST /cairn/peer/v1/frames}: a batch of frames, each a 4-byte big-endian length and
 *       the frame's bytes, in send order. {@code 204} once every frame was handed to the member.
 *   <li>{@code POST /cairn/peer/v1/snapshot}: a 4-byte length and the Raft snapshot message, then
 *       the snapshot's data to the end of the body (chunked). {@code 204} once the member stored it.
 * </ul>
 * Both carry the envelope as headers: {@link #CLUSTER}, {@link #FROM}, {@link #TO} (ids in hex).
 * Refusals are plain-text bodies: {@code 412} cluster or member ID mismatch (etcd's rafthttp answers
 * "cluster ID mismatch" with 412 too), {@code 413} a frame over the receiver's limit, {@code 400} a
 * malformed request, {@code 503} too many snapshots at once or the member closing, {@code 500} a
 * snapshot the member did not store.
 */
final class PeerWire {

    static final String FRAMES_PATH = "/cairn/peer/v1/frames";
    static final String SNAPSHOT_PATH = "/cairn/peer/v1/snapshot";
    static final String CLUSTER = "X-Cairn-Cluster-Id";
    static final String FROM = "X-Cairn-From";
    static final String TO = "X-Cairn-To";

    private PeerWire() {}

    static String hex(long id) {
        return Long.toHexString(id);
    }

    /** @throws NumberFormatException if {@code value} is missing or not hex */
    static long parseId(String value) {
        if (value == null || value.isEmpty()) {
            throw new NumberFormatException("missing");
        }
        return Long.parseUnsignedLong(value, 16);
    }

    /**
     * Reads the next length prefix, or -1 at the end of the body exactly between two frames.
     *
     * @throws EOFException if the body ends inside the prefix
     */
    static int readLength(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return -1;
        }
        int second = in.read();
        int third = in.read();
        int fourth = in.read();
        if ((second | third | fourth) < 0) {
            throw new EOFException("the body ends inside a length prefix");
        }
        long length = ((long) first << 24) | (second << 16) | (third << 8) | fourth;
        return length > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) length;
    }

    static void putLength(byte[] target, int offset, int length) {
        target[offset] = (byte) (length >>> 24);
        target[offset + 1] = (byte) (length >>> 16);
        target[offset + 2] = (byte) (length >>> 8);
        target[offset + 3] = (byte) length;
    }
}
