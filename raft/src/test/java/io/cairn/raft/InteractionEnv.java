package io.cairn.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A cluster of {@link RawNode}s on {@link MemoryRaftStorage} whose messages are <em>held</em>
 * until the test delivers or drops them. Used by the transcript tests (each command appends to
 * {@link #out}) and directly by the paper tests.
 */
final class InteractionEnv {

    /** One node and everything the "application" around it keeps. */
    static final class Node {
        final long id;
        final RaftConfig config;
        final MemoryRaftStorage storage;
        RawNode rawNode;
        /** The payloads applied to the state machine, in order. */
        final List<Entry> applied = new ArrayList<>();
        ConfState confState;
        /** Read states received, in order. */
        final List<ReadState> readStates = new ArrayList<>();

        Node(long id, RaftConfig config, MemoryRaftStorage storage) {
            this.id = id;
            this.config = config;
            this.storage = storage;
            this.rawNode = new RawNode(config, storage);
            this.confState = storage.initialState().confState();
        }

        Raft raft() {
            return rawNode.raft();
        }
    }

    /** Options for {@link #addNodes}. */
    static final class NodeOptions {
        boolean preVote;
        boolean checkQuorum;
        int electionTick = 10;
        int heartbeatTick = 1;
        long maxSizePerMsg = 1 << 20;
        int maxInflightMsgs = 256;
        long maxInflightBytes;
        long maxUncommittedSize;
        ReadOnlyOption readOnly = ReadOnlyOption.SAFE;
        boolean disableForwarding;
        ConfState confState;
        /** If > 0, storage starts with a snapshot at this index (term 1) holding {@link #confState}. */
        long snapshotIndex;
        /** If not empty, each node starts on empty storage and bootstraps these voters into its log. */
        java.util.Set<Long> bootstrap = java.util.Set.of();
        long seed = 1;
    }

    final TreeMap<Long, Node> nodes = new TreeMap<>();
    /** Messages sent and not yet delivered or dropped, in send order. */
    final List<Message> inFlight = new ArrayList<>();
    final StringBuilder out = new StringBuilder();

    // ---------------------------------------------------------------- set-up

    /** Adds nodes {@code firstId .. firstId + count - 1}. */
    void addNodes(int count, NodeOptions o) {
        long first = nodes.isEmpty() ? 1 : nodes.lastKey() + 1;
        for (long id = first; id < first + count; id++) {
            MemoryRaftStorage storage = o.confState == null ? new MemoryRaftStorage() : MemoryRaftStorage.withConfState(o.confState);
            if (o.snapshotIndex > 0) {
                storage.applySnapshot(new Snapshot(new SnapshotMetadata(o.confState, o.snapshotIndex, 1), bytes("initial")));
            }
            RaftConfig config = RaftConfig.builder(id, new SplittableRandom(o.seed * 1000 + id))
                    .electionTick(o.electionTick).heartbeatTick(o.heartbeatTick)
                    .preVote(o.preVote).checkQuorum(o.checkQuorum)
                    .maxSizePerMsg(o.maxSizePerMsg).maxInflightMsgs(o.maxInflightMsgs)
                    .maxInflightBytes(o.maxInflightBytes).maxUncommittedEntriesSize(o.maxUncommittedSize)
                    .readOnlyOption(o.readOnly).disableProposalForwarding(o.disableForwarding)
                    .build();
            Node node = new Node(id, config, storage);
            if (!o.bootstrap.isEmpty()) {
                node.rawNode.bootstrap(o.bootstrap);
                node.confState = node.rawNode.status().config();
            }
            nodes.put(id, node);
            line("INFO " + id + " started with " + (!o.bootstrap.isEmpty() ? "bootstrapped " + node.confState
                    : o.confState == null ? "no configuration" : o.confState.toString())
                    + (o.snapshotIndex > 0 ? " at snapshot index " + o.snapshotIndex : ""));
        }
    }

    /**
     * Crashes and restarts a node: what its Readys persisted survives, nothing else (the state
     * machine restarts from the snapshot; the log is replayed as it commits again).
     */
    void restart(long id) {
        Node n = node(id);
        n.rawNode = new RawNode(n.config, n.storage);
        n.confState = n.storage.initialState().confState();
        Status st = n.rawNode.status();
        line("INFO " + id + " restarted at term " + st.hardState().term() + ", commit " + st.hardState().commit()
                + ", last index " + n.storage.lastIndex());
    }

    Node node(long id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + " (have " + nodes.keySet() + ")");
        }
        return n;
    }

    // ---------------------------------------------------------------- output

    void line(String s) {
        out.append(s).append('\n');
    }

    String takeOutput() {
        String s = out.toString();
        out.setLength(0);
        return s;
    }

    // ---------------------------------------------------------------- driving

    /** Runs {@code action}, printing a refusal instead of failing. */
    void attempt(Runnable action) {
        try {
            action.run();
        } catch (RaftException e) {
            line("error: " + e.getMessage());
        }
    }

    void tick(long id, int times) {
        Node n = node(id);
        for (int i = 0; i < times; i++) {
            n.rawNode.tick();
        }
    }

    /** Ticks until the node's (randomized) election timeout elapses. */
    void tickElection(long id) {
        Node n = node(id);
        int times = n.raft().randomizedElectionTimeout;
        tick(id, times);
    }

    void tickHeartbeat(long id) {
        tick(id, node(id).raft().heartbeatTimeout);
    }

    boolean hasReady(long id) {
        return node(id).rawNode.hasReady();
    }

    /** Handles one Ready of {@code id}: persist, hold messages, apply, advance. */
    void processReady(long id) {
        Node n = node(id);
        if (!n.rawNode.hasReady()) {
            line("> " + id + " has no Ready");
            return;
        }
        Ready rd = n.rawNode.ready();
        line("> " + id + " handling Ready");
        describeReady(rd);
        // 1. persist
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
        }
        n.storage.append(rd.entries());
        if (rd.hardState() != null) {
            n.storage.setHardState(rd.hardState());
        }
        // 2. send (held until delivered)
        inFlight.addAll(rd.messages());
        // 3. apply
        if (rd.snapshot() != null) {
            n.confState = rd.snapshot().metadata().confState();
        }
        for (Entry e : rd.committedEntries()) {
            n.applied.add(e);
            if (e.type() == EntryType.CONF_CHANGE) {
                ConfChange cc = RaftCodec.decodeConfChange(e.data());
                try {
                    n.confState = n.rawNode.applyConfChange(cc);
                    line("  INFO " + id + " applied conf change " + cc + " -> " + n.confState);
                } catch (RaftException ex) {
                    line("  error: " + ex.getMessage());
                }
            }
        }
        n.readStates.addAll(rd.readStates());
        n.rawNode.advance(rd);
    }

    private void describeReady(Ready rd) {
        List<String> l = new ArrayList<>();
        if (rd.softState() != null) {
            l.add("Lead:" + rd.softState().leader() + " State:" + rd.softState().role());
        }
        if (rd.hardState() != null) {
            HardState hs = rd.hardState();
            l.add("HardState Term:" + hs.term() + " Vote:" + hs.vote() + " Commit:" + hs.commit());
        }
        if (!rd.entries().isEmpty()) {
            l.add("Entries:");
            rd.entries().forEach(e -> l.add(e.toString()));
        }
        if (rd.snapshot() != null) {
            l.add("Snapshot " + rd.snapshot());
        }
        if (!rd.committedEntries().isEmpty()) {
            l.add("CommittedEntries:");
            rd.committedEntries().forEach(e -> l.add(e.toString()));
        }
        if (!rd.messages().isEmpty()) {
            l.add("Messages:");
            rd.messages().forEach(m -> l.add(m.toString()));
        }
        if (!rd.readStates().isEmpty()) {
            l.add("ReadStates:");
            rd.readStates().forEach(r -> l.add(r.toString()));
        }
        for (String s : l) {
            line("  " + s);
        }
    }

    /** Delivers (or drops) every held message addressed to one of {@code ids}, in send order. */
    int deliver(Set<Long> ids, Set<Long> dropTo) {
        int n = 0;
        for (long id : ids) {
            List<Message> mine = take(m -> m.to() == id);
            if (mine.isEmpty()) {
                continue;
            }
            if (dropTo.contains(id)) {
                for (Message m : mine) {
                    line("dropped: " + m);
                    reportIfSnapshot(m);
                }
                continue;
            }
            line("> " + id + " receiving messages");
            for (Message m : mine) {
                line("  " + m);
                n++;
                Node node = nodes.get(id);
                if (node == null) {
                    line("  INFO no node " + id + ", message lost");
                    continue;
                }
                try {
                    node.rawNode.step(m);
                } catch (ProposalDroppedException | IllegalArgumentException e) {
                    line("  error: " + e.getMessage());
                }
                if (m.type() == MessageType.SNAP && nodes.containsKey(m.from())) {
                    // The transport tells the sender once a snapshot stream has been delivered.
                    nodes.get(m.from()).rawNode.reportSnapshot(id, true);
                    line("  INFO " + m.from() + " told that the snapshot reached " + id);
                }
            }
        }
        return n;
    }

    private List<Message> take(java.util.function.Predicate<Message> p) {
        List<Message> taken = new ArrayList<>();
        for (Iterator<Message> it = inFlight.iterator(); it.hasNext();) {
            Message m = it.next();
            if (p.test(m)) {
                taken.add(m);
                it.remove();
            }
        }
        return taken;
    }

    /** Drops held messages from {@code from} to {@code to} (0 = any). */
    void dropMessages(long from, long to) {
        for (Message m : take(m -> (from == 0 || m.from() == from) && (to == 0 || m.to() == to))) {
            line("dropped: " + m);
            reportIfSnapshot(m);
        }
    }

    /** The transport tells the sender when a snapshot could not be delivered. */
    private void reportIfSnapshot(Message m) {
        if (m.type() == MessageType.SNAP && nodes.containsKey(m.from())) {
            nodes.get(m.from()).rawNode.reportSnapshot(m.to(), false);
            line("INFO " + m.from() + " told that the snapshot to " + m.to() + " failed");
        }
    }

    /** Processes Readys and delivers messages among {@code ids} until nothing moves. */
    void stabilize(Set<Long> ids) {
        for (int round = 0; round < 1000; round++) {
            boolean moved = false;
            for (long id : ids) {
                if (nodes.containsKey(id) && hasReady(id)) {
                    processReady(id);
                    moved = true;
                }
            }
            for (long id : ids) {
                boolean pending = inFlight.stream().anyMatch(m -> m.to() == id);
                if (pending) {
                    deliver(Set.of(id), Set.of());
                    moved = true;
                }
            }
            if (!moved) {
                return;
            }
        }
        throw new IllegalStateException("stabilize did not settle within 1000 rounds");
    }

    void stabilize() {
        stabilize(nodes.keySet());
    }

    // ---------------------------------------------------------------- inspection

    void printRaftState() {
        for (Node n : nodes.values()) {
            Raft r = n.raft();
            String voter = r.trk.config.voters().contains(n.id) ? "(Voter)" : r.isLearner ? "(Learner)" : "(Non-Voter)";
            line(n.id + ": " + r.state + " " + voter + " Term:" + r.term + " Lead:" + r.lead);
        }
    }

    void printLog(long id) {
        Node n = node(id);
        MemoryRaftStorage s = n.storage;
        if (s.lastIndex() < s.firstIndex()) {
            line("log is empty: first index=" + s.firstIndex() + ", last index=" + s.lastIndex());
            return;
        }
        for (Entry e : s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE)) {
            line(e.toString());
        }
    }

    void printStatus(long id) {
        Status st = node(id).rawNode.status();
        if (st.progress().isEmpty()) {
            line(id + " is not the leader (" + st.softState().role() + ")");
            return;
        }
        Map<Long, ProgressStatus> p = new LinkedHashMap<>(st.progress());
        Raft r = node(id).raft();
        p.forEach((pid, ps) -> line(pid + ": " + r.trk.progress.get(pid)));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
