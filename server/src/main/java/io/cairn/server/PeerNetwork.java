package io.cairn.server;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.RaftCodec;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerHandler;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's side of the peer transport: Ready messages out as {@link RaftCodec} frames through a
 * {@link PeerEndpoint}; frames in, queued to the node's loop; snapshots streamed both ways
 * ({@link StateSnapshots}). Also keeps the endpoint's peer list in line with the member table.
 *
 * <p>Threading: {@link #send} on the loop thread; the {@link PeerHandler} methods on transport
 * threads; a snapshot is written and sent on a thread of its own.
 */
final class PeerNetwork implements RaftNode.PeerSender, PeerHandler {

    private static final System.Logger LOG = System.getLogger(PeerNetwork.class.getName());

    /**
     * How long a member that left the peer list keeps its link. The Ready that commits a member's
     * removal also carries the appends telling that member the new commit index, and applying the
     * removal refreshes the peers right after they were queued: closing the link at once could drop
     * them, and the removed member would then never apply its own removal and never stop.
     */
    static final long REMOVED_LINK_GRACE_MILLIS = 3_000;

    private final long memberId;
    private final RaftNode node;
    private final Backend stateBackend;
    private final List<String> stateKeyspaces;
    private final Path snapDir;
    private final MemberTable members;
    /** Peers known before the member table lists them: etcd's --initial-cluster, by every candidate id. */
    private final Map<Long, List<URI>> bootstrapPeers;
    private final AtomicLong snapshotsSent = new AtomicLong();
    private final AtomicLong snapshotsReceived = new AtomicLong();
    private volatile PeerEndpoint endpoint;
    private volatile LeaderForwarding forwarding;
    // Guarded by this (refreshPeers): the peers last given to the endpoint, and those kept after they left, with
    // the System.nanoTime() until which they stay.
    private Map<Long, List<URI>> lastPeers = Map.of();
    private final Map<Long, Lingering> lingering = new LinkedHashMap<>();

    private record Lingering(List<URI> urls, long untilNanos) {}

    PeerNetwork(long memberId, RaftNode node, Backend stateBackend, List<String> stateKeyspaces, Path snapDir,
                MemberTable members, Map<Long, List<URI>> bootstrapPeers) {
        this.memberId = memberId;
        this.node = node;
        this.stateBackend = stateBackend;
        this.stateKeyspaces = List.copyOf(stateKeyspaces);
        this.snapDir = snapDir;
        this.members = members;
        this.bootstrapPeers = Map.copyOf(bootstrapPeers);
    }

    /** Connects the started endpoint and gives it the current peers. */
    void attach(PeerEndpoint started) {
        this.endpoint = Objects.requireNonNull(started, "endpoint");
        refreshPeers();
    }

    PeerEndpoint endpoint() {
        return endpoint;
    }

    /** Where frames of calls forwarded to the leader go (they share the connection with Raft's). */
    void forwarding(LeaderForwarding forwarding) {
        this.forwarding = forwarding;
    }

    long snapshotsSent() {
        return snapshotsSent.get();
    }

    long snapshotsReceived() {
        return snapshotsReceived.get();
    }

    /**
     * The member table changed: members, removals and URL updates reach the endpoint (a removed
     * member's link after {@link #REMOVED_LINK_GRACE_MILLIS}). Synchronized so that two refreshes
     * cannot reach the endpoint in the other order.
     */
    synchronized void refreshPeers() {
        PeerEndpoint e = endpoint;
        if (e == null) {
            return;
        }
        Map<Long, List<URI>> peers = new LinkedHashMap<>();
        bootstrapPeers.forEach((id, urls) -> {
            if (!members.isRemoved(id)) {
                peers.put(id, urls);
            }
        });
        members.peerUrls().forEach((id, urls) -> {
            if (!urls.isEmpty()) {
                peers.put(id, urls.stream().map(URI::create).toList());
            }
        });
        peers.remove(memberId);
        long now = System.nanoTime();
        lastPeers.forEach((id, urls) -> {
            if (!peers.containsKey(id) && !lingering.containsKey(id)) {
                lingering.put(id, new Lingering(urls, now + TimeUnit.MILLISECONDS.toNanos(REMOVED_LINK_GRACE_MILLIS)));
                CompletableFuture.delayedExecutor(REMOVED_LINK_GRACE_MILLIS + 50, TimeUnit.MILLISECONDS)
                        .execute(this::refreshPeers);
            }
        });
        lingering.values().removeIf(kept -> now - kept.untilNanos() >= 0);
        lingering.keySet().removeIf(peers::containsKey);
        lastPeers = Map.copyOf(peers);
        lingering.forEach((id, kept) -> peers.put(id, kept.urls()));
        try {
            e.updatePeers(peers);
        } catch (RuntimeException bad) {
            LOG.log(System.Logger.Level.WARNING, "cannot update the peer list: " + bad.getMessage());
        }
    }

    // ---- out (loop thread) --------------------------------------------------------------------

    @Override
    public void send(List<Message> messages) {
        PeerEndpoint e = endpoint;
        for (Message m : messages) {
            if (m.type() == MessageType.SNAP) {
                if (e == null) {
                    node.reportSnapshot(m.to(), false);
                } else {
                    sendSnapshot(e, m);
                }
            } else if (e != null) {
                e.send(m.to(), ByteBuffer.wrap(RaftCodec.encodeMessage(m)));
            }
        }
    }

    /** The view is taken here, on the loop thread, so it holds the state at the applied index. */
    private void sendSnapshot(PeerEndpoint e, Message m) {
        ReadSnapshot view = stateBackend.snapshot();
        long to = m.to();
        Thread.ofVirtual().name("cairn-snapshot-to-" + Long.toHexString(to)).start(() -> {
            Path file = snapDir.resolve("out-" + Long.toHexString(to) + "-" + m.snapshot().metadata().index() + ".snap");
            try {
                try {
                    Files.createDirectories(snapDir);
                    Files.deleteIfExists(file);
                    StateSnapshots.write(view, stateKeyspaces, file);
                } finally {
                    view.close();
                }
                InputStream data = new DeletingInputStream(Files.newInputStream(file), file);
                e.sendSnapshot(to, ByteBuffer.wrap(RaftCodec.encodeMessage(m)), data).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.WARNING, "snapshot to " + Long.toHexString(to) + " failed: " + failure);
                    } else {
                        snapshotsSent.incrementAndGet();
                    }
                    node.reportSnapshot(to, failure == null);
                });
            } catch (IOException | RuntimeException failed) {
                LOG.log(System.Logger.Level.WARNING, "cannot prepare a snapshot for " + Long.toHexString(to) + ": " + failed);
                deleteQuietly(file);
                node.reportSnapshot(to, false);
            }
        });
    }

    // ---- in (transport threads) ---------------------------------------------------------------

    @Override
    public void receive(long from, ByteBuffer frame) {
        if (frame.hasRemaining() && frame.get(frame.position()) == LeaderForwarding.FRAME_TAG) {
            LeaderForwarding forwarding = this.forwarding;
            if (forwarding != null) {
                forwarding.receive(from, frame);
            }
            return;
        }
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        Message m;
        try {
            m = RaftCodec.decodeMessage(bytes);
        } catch (IllegalArgumentException malformed) {
            LOG.log(System.Logger.Level.WARNING, "dropped a malformed frame from " + Long.toHexString(from) + ": "
                    + malformed.getMessage());
            return;
        }
        if (m.type() == MessageType.SNAP) {
            return; // snapshots come only through receiveSnapshot, with their data
        }
        node.deliver(m);
    }

    @Override
    public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
        byte[] bytes = new byte[message.remaining()];
        message.get(bytes);
        Message m;
        try {
            m = RaftCodec.decodeMessage(bytes);
        } catch (IllegalArgumentException malformed) {
            throw new IOException("malformed snapshot message from " + Long.toHexString(from) + ": " + malformed.getMessage(), malformed);
        }
        if (m.type() != MessageType.SNAP || m.to() != memberId) {
            throw new IOException("not a snapshot message for this member: " + m.type() + " to " + Long.toHexString(m.to()));
        }
        Files.createDirectories(snapDir);
        StateSnapshots.receive(data, incoming(m.snapshot().metadata().index()));
        snapshotsReceived.incrementAndGet();
        node.deliver(m);
    }

    @Override
    public void unreachable(long peer) {
        node.reportUnreachable(peer);
    }

    /** Where a received snapshot for {@code index} waits until Raft asks to install it. */
    Path incoming(long index) {
        return snapDir.resolve("in-" + index + ".snap");
    }

    /**
     * Removes received snapshot files for {@code installed} and older indexes. A newer one may have
     * arrived while that one was installed (its message is then queued to the loop): it stays, or
     * installing it next would find no file.
     */
    void removeIncomingUpTo(long installed) {
        try (var files = Files.list(snapDir)) {
            List<Path> stale = new ArrayList<>();
            files.filter(p -> {
                String name = p.getFileName().toString();
                if (!name.startsWith("in-") || !name.endsWith(".snap")) {
                    return false;
                }
                try {
                    return Long.parseLong(name.substring(3, name.length() - 5)) <= installed;
                } catch (NumberFormatException notOurs) {
                    return false;
                }
            }).forEach(stale::add);
            stale.forEach(PeerNetwork::deleteQuietly);
        } catch (IOException ignored) {
            // best effort: stale files are removed at the next install
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Deletes the outgoing file once the transport has read and closed it. */
    private static final class DeletingInputStream extends FilterInputStream {
        private final Path file;

        DeletingInputStream(InputStream in, Path file) {
            super(in);
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                deleteQuietly(file);
            }
        }
    }
}
