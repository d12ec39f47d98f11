package io.cairn.benchmark.raft;

import io.cairn.raft.ConfState;
import io.cairn.raft.MemoryRaftStorage;
import io.cairn.raft.Message;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RawNode;
import io.cairn.raft.Ready;
import io.cairn.raft.StateRole;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * A cluster of {@link RawNode}s on {@link MemoryRaftStorage}, driven on the caller's thread, with
 * a network that delivers every message in send order, at once, and loses nothing: the engine
 * is all there is to measure. Each node runs the {@link Ready} loop in the contract's order
 * (persist, send, apply, advance); applying an entry only records its index.
 *
 * <p>Threading: not thread-safe; one thread drives the whole cluster.
 */
final class InMemoryRaftCluster {

    /** Entries kept behind the applied index when a node compacts its log. */
    private static final long KEEP_AFTER_COMPACTION = 1_000;
    /** A node compacts once this many entries precede the kept tail, so the heap stays flat. */
    private static final long COMPACT_EVERY = 10_000;

    private static final class Node {
        final RawNode raw;
        final MemoryRaftStorage storage;
        long applied;
        StateRole role = StateRole.FOLLOWER;

        Node(long id, ConfState members) {
            storage = MemoryRaftStorage.withConfState(members);
            raw = new RawNode(RaftConfig.builder(id, new SplittableRandom(id)).electionTick(10).heartbeatTick(1)
                    .maxSizePerMsg(1 << 20).maxInflightMsgs(256).build(), storage);
        }
    }

    /** nodes[id], ids 1..size; nodes[0] is unused. */
    private final Node[] nodes;
    private final ArrayDeque<Message> inFlight = new ArrayDeque<>();
    private Node leader;

    InMemoryRaftCluster(int size) {
        long[] ids = new long[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
        }
        ConfState members = ConfState.ofVoters(ids);
        nodes = new Node[size + 1];
        for (int id = 1; id <= size; id++) {
            nodes[id] = new Node(id, members);
        }
    }

    /** Makes node 1 campaign and runs the cluster until it leads. */
    void electNodeOne() {
        nodes[1].raw.campaign();
        pump();
        if (nodes[1].role != StateRole.LEADER) {
            throw new IllegalStateException("node 1 did not become leader: " + nodes[1].raw.status());
        }
        leader = nodes[1];
    }

    /**
     * Proposes {@code batch} entries of {@code payload} on the leader (the array is shared, entries
     * do not copy it) and runs the cluster until the leader has applied them; returns how many
     * entries the leader applied meanwhile.
     */
    long proposeAndCommit(int batch, byte[] payload) {
        for (int i = 0; i < batch; i++) {
            leader.raw.propose(payload);
        }
        long target = leader.storage.lastIndex() + batch; // appended after the last persisted index
        long before = leader.applied;
        while (leader.applied < target) {
            pump();
            if (leader.applied < target && !leader.raw.hasReady()) {
                leader.raw.tick(); // nothing moves: a heartbeat carries the commit index along
            }
        }
        return leader.applied - before;
    }

    /** Throws unless every follower has applied at least {@code behind} entries short of the leader. */
    void checkFollowersWithin(long behind) {
        for (int id = 1; id < nodes.length; id++) {
            if (nodes[id].applied < leader.applied - behind) {
                throw new IllegalStateException("follower " + id + " applied " + nodes[id].applied + ", leader "
                        + leader.applied);
            }
        }
    }

    /** Handles Readys and delivers messages until nothing moves. */
    private void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int id = 1; id < nodes.length; id++) {
                Node n = nodes[id];
                if (n.raw.hasReady()) {
                    handle(n);
                    moved = true;
                }
            }
            Message m;
            while ((m = inFlight.pollFirst()) != null) {
                nodes[(int) m.to()].raw.step(m);
                moved = true;
            }
        }
    }

    private void handle(Node n) {
        Ready rd = n.raw.ready();
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
        }
        n.storage.append(rd.entries());
        if (rd.hardState() != null) {
            n.storage.setHardState(rd.hardState());
        }
        if (rd.softState() != null) {
            n.role = rd.softState().role();
        }
        for (int i = 0; i < rd.messages().size(); i++) {
            inFlight.addLast(rd.messages().get(i));
        }
        if (!rd.committedEntries().isEmpty()) {
            n.applied = rd.committedEntries().get(rd.committedEntries().size() - 1).index();
        }
        n.raw.advance(rd);
        long compactTo = n.applied - KEEP_AFTER_COMPACTION;
        if (compactTo > n.storage.firstIndex() + COMPACT_EVERY) {
            n.storage.compact(compactTo);
        }
    }
}
