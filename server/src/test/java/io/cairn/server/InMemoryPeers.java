package io.cairn.server;

import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory peer network for tests: endpoints found by their listen URL, frames delivered in
 * order per receiver on a thread of the receiver's, snapshots on a thread of their own. Members can
 * be cut off ({@link #isolate}) and healed; frames to a member that is down or cut off are dropped
 * and reported unreachable, as a real transport would.
 */
final class InMemoryPeers {

    private final Map<URI, Endpoint> byUrl = new ConcurrentHashMap<>();
    private final Set<Long> isolated = ConcurrentHashMap.newKeySet();
    final AtomicLong framesDelivered = new AtomicLong();

    /** The factory to give {@code CairnServer.Builder.peerEndpoints}. */
    CairnServer.PeerEndpointFactory factory() {
        return (config, handler) -> {
            Endpoint e = new Endpoint(config, handler);
            for (URI url : config.listenUrls()) {
                if (byUrl.putIfAbsent(url, e) != null) {
                    throw new io.cairn.spi.transport.TransportException(url.toString(), "address in use", null);
                }
            }
            return e;
        };
    }

    /** Cuts {@code memberId} off: nothing to or from it is delivered until {@link #heal}. */
    void isolate(long memberId) {
        isolated.add(memberId);
    }

    void heal(long memberId) {
        isolated.remove(memberId);
    }

    private boolean blocked(long from, long to) {
        return isolated.contains(from) || isolated.contains(to);
    }

    private final class Endpoint implements PeerEndpoint {
        private final PeerEndpointConfig config;
        private final PeerHandler handler;
        private final ExecutorService inbox;
        private volatile Map<Long, List<URI>> peers = Map.of();
        private volatile boolean closed;

        Endpoint(PeerEndpointConfig config, PeerHandler handler) {
            this.config = config;
            this.handler = handler;
            this.inbox = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "in-memory-peer-" + Long.toHexString(config.memberId()));
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public String transportId() {
            return "in-memory";
        }

        @Override
        public List<URI> boundUrls() {
            return config.listenUrls();
        }

        @Override
        public void updatePeers(Map<Long, List<URI>> newPeers) {
            Map<Long, List<URI>> copy = new ConcurrentHashMap<>(newPeers);
            copy.remove(config.memberId());
            this.peers = copy;
        }

        private Endpoint target(long to) {
            List<URI> urls = peers.get(to);
            if (urls == null) {
                return null;
            }
            for (URI url : urls) {
                Endpoint e = byUrl.get(url);
                if (e != null && !e.closed && e.config.clusterId() == config.clusterId()) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public boolean send(long to, ByteBuffer frame) {
            if (closed) {
                return false;
            }
            Endpoint target = target(to);
            if (target == null || blocked(config.memberId(), to)) {
                handler.unreachable(to);
                return false;
            }
            long from = config.memberId();
            try {
                target.inbox.execute(() -> {
                    if (!target.closed && !blocked(from, to)) {
                        framesDelivered.incrementAndGet();
                        target.handler.receive(from, frame);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException gone) {
                return false;
            }
            return true;
        }

        @Override
        public CompletableFuture<Void> sendSnapshot(long to, ByteBuffer message, InputStream data) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Endpoint target = target(to);
            long from = config.memberId();
            if (closed || target == null || blocked(from, to)) {
                closeQuietly(data);
                done.completeExceptionally(new IOException("member " + Long.toHexString(to) + " is unreachable"));
                return done;
            }
            Thread.ofVirtual().start(() -> {
                try (InputStream in = data) {
                    byte[] bytes = in.readAllBytes();
                    target.handler.receiveSnapshot(from, message, new ByteArrayInputStream(bytes));
                    done.complete(null);
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            return done;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            config.listenUrls().forEach(url -> byUrl.remove(url, this));
            inbox.shutdownNow();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
