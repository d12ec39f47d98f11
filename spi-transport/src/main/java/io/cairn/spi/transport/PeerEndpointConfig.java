package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * How a member's peer endpoint listens and whom it speaks for, as etcd's
 * {@code --listen-peer-urls}. Build with {@link #of} and the {@code with...} methods.
 *
 * @param listenUrls where to listen for other members, each {@code http://host:port} (port 0: the
 *     system chooses; {@link PeerEndpoint#boundUrls()} tells which). Non-empty, no duplicates;
 *     unmodifiable
 * @param clusterId the cluster this member belongs to: frames from another cluster are refused
 *     (etcd's "cluster ID mismatch"), so two clusters sharing a network never mix their Raft
 *     traffic. Non-zero
 * @param memberId this member's Raft id, stamped on every frame it sends. Positive
 * @param maxQueuedFrames how many frames may wait to be sent to one peer; past that, frames for
 *     that peer are dropped (Raft retransmits) and the peer is reported unreachable, so a slow or
 *     dead peer cannot exhaust memory. Positive
 * @param maxFrameBytes the largest frame accepted from a peer (a Raft message with its entries);
 *     larger frames are refused and the stream is reset. Also the largest frame this member sends:
 *     {@link PeerEndpoint#send} drops a larger one at once. Positive
 */
@Experimental("new with issue 6")
public record PeerEndpointConfig(List<URI> listenUrls, long clusterId, long memberId, int maxQueuedFrames,
        int maxFrameBytes) {

    /** Frames queued per peer by default: a few seconds of a busy leader's traffic. */
    public static final int DEFAULT_MAX_QUEUED_FRAMES = 4096;

    /** The largest frame by default: etcd's request limit (1.5 MiB) times a batch, with room. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    /**
     * Copies {@code listenUrls}.
     *
     * @throws NullPointerException if {@code listenUrls} or a URL is null
     * @throws IllegalArgumentException naming the value, if a URL is not {@code http(s)://host:port},
     *     URLs repeat or are missing, an id is not as documented, or a limit is not positive
     */
    public PeerEndpointConfig {
        Objects.requireNonNull(listenUrls, "listenUrls");
        for (URI url : listenUrls) {
            Objects.requireNonNull(url, "listenUrls contains null");
            ListenUrls.check("peer listen", url, false);
        }
        if (listenUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one peer listen URL is needed");
        }
        if (listenUrls.stream().distinct().count() != listenUrls.size()) {
            throw new IllegalArgumentException("a peer listen URL is given twice: " + listenUrls);
        }
        listenUrls = List.copyOf(listenUrls);
        if (clusterId == 0) {
            throw new IllegalArgumentException("clusterId must not be 0");
        }
        if (memberId <= 0) {
            throw new IllegalArgumentException("memberId must be positive, got " + memberId);
        }
        if (maxQueuedFrames <= 0) {
            throw new IllegalArgumentException("maxQueuedFrames must be positive, got " + maxQueuedFrames);
        }
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes must be positive, got " + maxFrameBytes);
        }
    }

    /** Listening on {@code listenUrls} for member {@code memberId} of {@code clusterId}, default limits. */
    public static PeerEndpointConfig of(long clusterId, long memberId, URI... listenUrls) {
        Objects.requireNonNull(listenUrls, "listenUrls");
        return new PeerEndpointConfig(List.of(listenUrls), clusterId, memberId, DEFAULT_MAX_QUEUED_FRAMES,
                DEFAULT_MAX_FRAME_BYTES);
    }

    /** This configuration with {@code maxQueuedFrames} frames queued per peer at most. */
    public PeerEndpointConfig withMaxQueuedFrames(int maxQueuedFrames) {
        return new PeerEndpointConfig(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes);
    }

    /** This configuration accepting frames of up to {@code maxFrameBytes}. */
    public PeerEndpointConfig withMaxFrameBytes(int maxFrameBytes) {
        return new PeerEndpointConfig(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes);
    }
}
