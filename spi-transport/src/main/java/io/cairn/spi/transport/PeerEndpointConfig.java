package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a member's peer endpoint listens and whom it speaks for, as etcd's
 * {@code --listen-peer-urls}. Build with {@link #of} and the {@code with...} methods.
 *
 * @param listenUrls where to listen for other members, each {@code http(s)://host:port} (port 0:
 *     the system chooses; {@link PeerEndpoint#boundUrls()} tells which). {@code https} needs
 *     {@code tls}. Non-empty, no duplicates; unmodifiable
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
 * @param tls TLS between members (etcd's {@code --peer-cert-file}, {@code --peer-key-file},
 *     {@code --peer-trusted-ca-file}, {@code --peer-client-cert-auth}, {@code --tls-min-version}),
 *     for the {@code https} listen URLs and for dialing the {@code https} URLs of other members,
 *     as {@link TlsConfig} describes; empty for plain text only (an {@code https} peer URL is then
 *     refused). Never null
 */
@Experimental("new with issue 6; TLS with issue 8")
public record PeerEndpointConfig(List<URI> listenUrls, long clusterId, long memberId, int maxQueuedFrames,
        int maxFrameBytes, Optional<TlsConfig> tls) {

    /** Frames queued per peer by default: a few seconds of a busy leader's traffic. */
    public static final int DEFAULT_MAX_QUEUED_FRAMES = 4096;

    /** The largest frame by default: etcd's request limit (1.5 MiB) times a batch, with room. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    /**
     * Copies {@code listenUrls}.
     *
     * @throws NullPointerException if {@code listenUrls}, a URL or {@code tls} is null
     * @throws IllegalArgumentException naming the value, if a URL is not {@code http(s)://host:port},
     *     URLs repeat or are missing, {@code https} is used without {@code tls}, an id is not as
     *     documented, or a limit is not positive
     */
    public PeerEndpointConfig {
        Objects.requireNonNull(listenUrls, "listenUrls");
        Objects.requireNonNull(tls, "tls");
        for (URI url : listenUrls) {
            Objects.requireNonNull(url, "listenUrls contains null");
            ListenUrls.check("peer listen", url, tls.isPresent());
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

    /** Without TLS: the components as in the canonical constructor, {@code tls} empty. */
    public PeerEndpointConfig(List<URI> listenUrls, long clusterId, long memberId, int maxQueuedFrames,
            int maxFrameBytes) {
        this(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes, Optional.empty());
    }

    /** Listening on {@code listenUrls} for member {@code memberId} of {@code clusterId}, default limits, no TLS. */
    public static PeerEndpointConfig of(long clusterId, long memberId, URI... listenUrls) {
        Objects.requireNonNull(listenUrls, "listenUrls");
        return new PeerEndpointConfig(List.of(listenUrls), clusterId, memberId, DEFAULT_MAX_QUEUED_FRAMES,
                DEFAULT_MAX_FRAME_BYTES, Optional.empty());
    }

    /**
     * Listening on {@code listenUrls} for member {@code memberId} of {@code clusterId}, default limits,
     * TLS {@code tls} for the {@code https} URLs and for dialing the {@code https} URLs of other members.
     */
    public static PeerEndpointConfig of(long clusterId, long memberId, TlsConfig tls, URI... listenUrls) {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(listenUrls, "listenUrls");
        return new PeerEndpointConfig(List.of(listenUrls), clusterId, memberId, DEFAULT_MAX_QUEUED_FRAMES,
                DEFAULT_MAX_FRAME_BYTES, Optional.of(tls));
    }

    /** This configuration with {@code maxQueuedFrames} frames queued per peer at most. */
    public PeerEndpointConfig withMaxQueuedFrames(int maxQueuedFrames) {
        return new PeerEndpointConfig(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes, tls);
    }

    /** This configuration accepting frames of up to {@code maxFrameBytes}. */
    public PeerEndpointConfig withMaxFrameBytes(int maxFrameBytes) {
        return new PeerEndpointConfig(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes, tls);
    }

    /** This configuration with TLS {@code tls} between members (empty: plain text only). */
    public PeerEndpointConfig withTls(Optional<TlsConfig> tls) {
        return new PeerEndpointConfig(listenUrls, clusterId, memberId, maxQueuedFrames, maxFrameBytes, tls);
    }
}
