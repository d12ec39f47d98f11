package io.cairn.spi.transport.peer;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A peer endpoint's outgoing links, one per other member, kept in step with the member list given
 * to {@link io.cairn.spi.transport.PeerEndpoint#updatePeers}. Every transport needs the same
 * bookkeeping (validate the list, keep links whose URLs did not change, replace the others, close
 * them all once), so it lives here once.
 *
 * <p>Threading: all methods may be called from any thread. Links are created under this table's
 * lock (the factory must not block) and closed outside it, so a link's {@link Link#close()} may
 * take its time.
 *
 * @param <L> the transport's link type
 */
public final class PeerLinks<L extends PeerLinks.Link> {

    /** One outgoing link to a member, owned by the table from creation until it closes it. */
    public interface Link {
        /** The URLs the link was created for; a member whose URLs change gets a new link. */
        List<URI> urls();

        /** Stops the link and releases what it holds; called once, never under the table's lock. */
        void close();
    }

    /** Makes a link to {@code member} at {@code urls}; called under the table's lock, must not block. */
    @FunctionalInterface
    public interface LinkFactory<L> {
        L open(long member, List<URI> urls);
    }

    private final long selfId;
    private final boolean tlsConfigured;
    private final LinkFactory<L> factory;
    private final Map<Long, L> links = new ConcurrentHashMap<>();
    private boolean closed;

    /**
     * @param selfId        this member's id: it never gets a link to itself
     * @param tlsConfigured whether the endpoint has client TLS for peers; without it https peer
     *                      URLs are refused
     */
    public PeerLinks(long selfId, boolean tlsConfigured, LinkFactory<L> factory) {
        this.selfId = selfId;
        this.tlsConfigured = tlsConfigured;
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * Makes the links match {@code peers} (member id → peer URLs, this member included or not):
     * links of members no longer listed, or listed with other URLs, are closed; new members get a
     * link. Ignored once the table is closed.
     *
     * @throws IllegalArgumentException if a member has no URL or a URL is not {@code http(s)://host:port}
     *     (nothing is changed then)
     */
    public void update(Map<Long, List<URI>> peers) {
        Objects.requireNonNull(peers, "peers");
        Map<Long, List<URI>> wanted = new HashMap<>();
        peers.forEach((id, urls) -> {
            Objects.requireNonNull(id, "peers contains a null member id");
            Objects.requireNonNull(urls, "peers contains null URLs for member " + Long.toHexString(id));
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("member " + Long.toHexString(id) + " has no peer URL");
            }
            for (URI url : urls) {
                checkPeerUrl(id, url, tlsConfigured);
            }
            if (id != selfId) {
                wanted.put(id, List.copyOf(urls));
            }
        });
        List<L> dropped = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            links.forEach((id, link) -> {
                if (!link.urls().equals(wanted.get(id))) {
                    dropped.add(link);
                }
            });
            dropped.forEach(link -> links.values().remove(link));
            wanted.forEach((id, urls) -> links.computeIfAbsent(id, ignored -> factory.open(id, urls)));
        }
        dropped.forEach(Link::close);
    }

    /** The link to {@code member}, or null if it is unknown or the table is closed. */
    public L get(long member) {
        return links.get(member);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes every link; later {@link #update} calls are ignored.
     *
     * @return false if the table was already closed (nothing done)
     */
    public boolean close() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        List<L> toClose = new ArrayList<>(links.values());
        links.clear();
        toClose.forEach(Link::close);
        return true;
    }

    /**
     * Checks that {@code url}, a peer URL of {@code member}, is {@code http(s)://host:port} with
     * nothing else, and that https is used only with TLS configured.
     *
     * @throws IllegalArgumentException naming the URL and the member otherwise
     */
    public static void checkPeerUrl(long member, URI url, boolean tlsConfigured) {
        Objects.requireNonNull(url, "peers contains a null URL for member " + Long.toHexString(member));
        String scheme = url.getScheme();
        if ("https".equals(scheme) && !tlsConfigured) {
            throw new IllegalArgumentException("peer URL " + url + " of member " + Long.toHexString(member)
                    + " uses https but no peer TLS is configured");
        }
        boolean hasPath = url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/");
        if (!("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null || url.getPort() < 1
                || url.getPort() > 65535 || hasPath || url.getRawQuery() != null || url.getRawFragment() != null
                || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("peer URL " + url + " of member " + Long.toHexString(member)
                    + " must be http(s)://host:port");
        }
    }
}
