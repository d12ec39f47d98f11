package io.cairn.raft.sim;

import io.cairn.raft.ConfChange;
import io.cairn.raft.ConfChangeSingle;
import io.cairn.raft.ConfChangeTransition;
import io.cairn.raft.ConfChangeType;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.HardState;
import io.cairn.raft.MemoryRaftStorage;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.ProposalDroppedException;
import io.cairn.raft.RaftCodec;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftException;
import io.cairn.raft.RawNode;
import io.cairn.raft.ReadState;
import io.cairn.raft.Ready;
import io.cairn.raft.Snapshot;
import io.cairn.raft.StateRole;
import io.cairn.raft.Status;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One deterministic run of a simulated cluster, driven entirely by its seed.
 *
 * <p>Phases: a <b>fault phase</b> in which clients propose, the network loses, delays, duplicates
 * and reorders messages and partitions nodes (both ways or one way), nodes crash and restart,
 * membership changes and leader transfers happen; then a <b>liveness phase</b>: partitions heal,
 * the network becomes reliable, crashed members restart, faults and proposals stop, and within a
 * bounded simulated time a leader must exist and every member of its configuration must have
 * applied every proposal acknowledged by the time the faults stopped.
 *
 * <p>Each node runs the {@link Ready} loop as the contract orders it: persist (snapshot, entries,
 * hard state), send, apply (snapshot, then committed entries, with {@link RawNode#applyConfChange}),
 * advance. Ready handling is one event, so a crash falls between Readys; a crash that would fall
 * inside one is equivalent to one between them with the messages lost. The {@link SafetyChecker}
 * sees every persisted log change, every Ready of a leader and every applied entry, the moment it
 * happens.
 *
 * <p>Determinism: every random choice comes from {@link SplittableRandom}s split off the seed
 * (options, network, faults, workload, I/O timing, each node incarnation's engine randomness);
 * collections iterated are ordered by node id. {@link Result#traceHash()} hashes every event
 * (time, kind, node, message fields, Ready shape), so two runs of a seed can be compared.
 */
final class ClusterSimulation {

    /** The command that replays one seed (the seed is appended). */
    static final String REPRODUCE = "./mvnw -pl raft verify -Dtest=SimulationTest -Dcairn.sim.seed=";

    /** Default length of the fault phase in simulated milliseconds. */
    static final int DEFAULT_FAULT_PHASE_MS = 3_000;

    private static final int MAX_NEW_NODES = 6;
    private static final int MAX_VOTERS = 7;
    private static final int LIVENESS_MAX_DELAY_MS = 5;

    /**
     * A deliberately broken application around the engine, to show that the checker catches what
     * such a bug leads to. Each one also hides its own traces from the checker's durability checks,
     * so only the Raft properties themselves can catch it.
     */
    enum Sabotage {
        NONE,
        /** A crash forgets the vote of the current term (the hard state write was never synced). */
        FORGET_VOTES,
        /** A crash loses the last entries of the log, although they were persisted and acknowledged. */
        LOSE_LOG_TAIL
    }

    /** Counters of what a run did (also summed over runs by the test). */
    static final class Stats {
        long runs;
        long events;
        long simulatedMs;
        long proposals;
        long refused;
        long acked;
        long readsRequested;
        long readsAnswered;
        long readsMisdelivered;
        long staleReadsFromNonVoterLeader;
        long leaderTerms;
        long messages;
        long messagesDropped;
        long messagesDuplicated;
        long crashes;
        long unsyncedLost;
        long partitions;
        long confChangesProposed;
        long confChangesApplied;
        long confChangesRejected;
        long nodesAdded;
        long nodesRemoved;
        long transfers;
        long snapshotsSent;
        long freshSnapshots;
        long snapshotsInstalled;
        long compactions;
        long checks;

        void add(Stats o) {
            runs += o.runs;
            events += o.events;
            simulatedMs += o.simulatedMs;
            proposals += o.proposals;
            refused += o.refused;
            acked += o.acked;
            readsRequested += o.readsRequested;
            readsAnswered += o.readsAnswered;
            readsMisdelivered += o.readsMisdelivered;
            staleReadsFromNonVoterLeader += o.staleReadsFromNonVoterLeader;
            leaderTerms += o.leaderTerms;
            messages += o.messages;
            messagesDropped += o.messagesDropped;
            messagesDuplicated += o.messagesDuplicated;
            crashes += o.crashes;
            unsyncedLost += o.unsyncedLost;
            partitions += o.partitions;
            confChangesProposed += o.confChangesProposed;
            confChangesApplied += o.confChangesApplied;
            confChangesRejected += o.confChangesRejected;
            nodesAdded += o.nodesAdded;
            nodesRemoved += o.nodesRemoved;
            transfers += o.transfers;
            snapshotsSent += o.snapshotsSent;
            freshSnapshots += o.freshSnapshots;
            snapshotsInstalled += o.snapshotsInstalled;
            compactions += o.compactions;
            checks += o.checks;
        }

        @Override
        public String toString() {
            return "events=" + events + " simulatedMs=" + simulatedMs + " proposals=" + proposals + " refused=" + refused
                    + " acked=" + acked + " reads(asked/answered)=" + readsRequested + "/" + readsAnswered + " (to the wrong node: "
                    + readsMisdelivered + ", stale from a non-voter leader: " + staleReadsFromNonVoterLeader + ") leaderTerms=" + leaderTerms + " messages=" + messages + " dropped="
                    + messagesDropped + " duplicated=" + messagesDuplicated + " crashes=" + crashes + " unsyncedLost="
                    + unsyncedLost + " partitions=" + partitions + " confChanges(proposed/applied/rejected)="
                    + confChangesProposed + "/" + confChangesApplied + "/" + confChangesRejected + " nodesAdded="
                    + nodesAdded + " nodesRemoved=" + nodesRemoved + " transfers=" + transfers + " snapshotsSent="
                    + snapshotsSent + " (fresh " + freshSnapshots + ") snapshotsInstalled=" + snapshotsInstalled + " compactions=" + compactions
                    + " checks=" + checks;
        }
    }

    /** What a run that held every invariant produced. */
    record Result(long seed, SwarmOptions options, long traceHash, Stats stats) {}

    /** A run broke an invariant, missed liveness, or the engine threw: carries what replays it. */
    static final class SimulationFailure extends AssertionError {
        private static final long serialVersionUID = 1L;
        final long seed;

        SimulationFailure(long seed, String message, Throwable cause) {
            super(message, cause);
            this.seed = seed;
        }
    }

    /** The event being run, described lazily (only failure messages and traces format it). */
    private final class EventRef {
        String kind = "start";
        long node;
        Object detail;

        void set(String kind, long node, Object detail) {
            this.kind = kind;
            this.node = node;
            this.detail = detail;
        }

        @Override
        public String toString() {
            return "seed " + seed + " t=" + scheduler.now() + "ms event#" + scheduler.executed() + " "
                    + (kind != null ? kind : scheduler.currentKind())
                    + (node != 0 ? " node " + node : "") + (detail != null ? " " + detail : "");
        }
    }

    private final long seed;
    private final Sabotage sabotage;
    private final SwarmOptions opt;
    private final SafetyChecker checker = new SafetyChecker();
    private final EventScheduler scheduler = new EventScheduler();
    private final MessageRouter router;
    private final SplittableRandom faultRandom;
    private final SplittableRandom workloadRandom;
    private final SplittableRandom ioRandom;
    private final SplittableRandom engineRandom;
    private final SplittableRandom readRandom;
    private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    private final ConfState bootstrap;
    private final EventRef event = new EventRef();
    private final Stats stats = new Stats();
    private final int traceLimit;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long traceHash = Hashes.EMPTY_CHAIN;
    private boolean faultPhase = true;
    private boolean livenessDone;
    private long livenessStart;
    /**
     * The highest index acknowledged when the faults stopped: every member must apply it. (Proposals
     * still in flight then keep being acknowledged as a slow configuration works off its backlog;
     * they are not waited for, or the target would move as fast as the cluster.)
     */
    private long livenessTarget;
    private long livenessBacklog;
    private long nextNodeId;
    private int nodesAdded;
    private long nextProposalId = 1;
    /** Proposal id -> {proposing node, its incarnation}; removed once acknowledged. */
    private final HashMap<Long, long[]> pending = new HashMap<>();
    private long maxAckedIndex;
    private long nextReadId = 1;
    /** Read id -> {node asked, its incarnation, highest index acknowledged when asked}; kept (answers may repeat). */
    private final HashMap<Long, long[]> pendingReads = new HashMap<>();
    private final TreeSet<Long> leaderTerms = new TreeSet<>();
    /** Removed node -> the index of the removal, until a voter durably knows it committed. */
    private final TreeMap<Long, Long> pendingRemovals = new TreeMap<>();

    /**
     * @param traceLimit how many recent events to keep as text for a failure report (0: none, faster)
     */
    ClusterSimulation(long seed, int faultPhaseMs, int traceLimit) {
        this(seed, faultPhaseMs, traceLimit, Sabotage.NONE);
    }

    ClusterSimulation(long seed, int faultPhaseMs, int traceLimit, Sabotage sabotage) {
        this.seed = seed;
        this.sabotage = sabotage;
        this.traceLimit = traceLimit;
        SplittableRandom root = new SplittableRandom(seed);
        this.opt = SwarmOptions.draw(root.split(), faultPhaseMs);
        SplittableRandom network = root.split();
        this.faultRandom = root.split();
        this.workloadRandom = root.split();
        this.ioRandom = root.split();
        this.engineRandom = root.split();
        this.readRandom = root.split();
        this.router = new MessageRouter(scheduler, network, new MessageRouter.Endpoint() {
            @Override
            public void deliver(Message m) {
                ClusterSimulation.this.deliver(m);
            }

            @Override
            public void lost(Message m, boolean blocked) {
                ClusterSimulation.this.lost(m, blocked);
            }
        }, opt);
        List<Long> voters = new ArrayList<>();
        List<Long> learners = new ArrayList<>();
        for (long id = 1; id <= opt.voters() + opt.learners(); id++) {
            (id <= opt.voters() ? voters : learners).add(id);
        }
        this.bootstrap = ConfState.of(voters, learners);
        this.nextNodeId = opt.voters() + opt.learners() + 1;
    }

    SwarmOptions options() {
        return opt;
    }

    /** Runs the seed to the end. @throws SimulationFailure naming the seed and how to replay it */
    Result run() {
        try {
            for (long id = 1; id < nextNodeId; id++) {
                addNode(id, true);
            }
            scheduleRepeating(opt.proposalIntervalMs(), "propose", this::propose);
            scheduleRepeating(opt.partitionIntervalMs(), "partition", this::partition);
            scheduleRepeating(opt.crashIntervalMs(), "crash", this::crash);
            scheduleRepeating(opt.confChangeIntervalMs(), "conf-change", this::confChange);
            scheduleRepeating(opt.transferIntervalMs(), "transfer", this::transfer);
            scheduleRepeating(readRandom, opt.readIntervalMs(), "read-index", this::readIndex);
            scheduler.schedule(opt.faultPhaseMs(), "end-of-faults", this::startLiveness);
            while (!livenessDone) {
                event.set(null, 0, null);
                // The liveness check fails the run once its deadline passes.
                if (!scheduler.runNext(Long.MAX_VALUE)) {
                    throw new IllegalStateException("the event queue ran dry at t=" + scheduler.now());
                }
                traceHash = Hashes.combine(traceHash, scheduler.now());
                if (traceLimit > 0) {
                    if (trace.size() == traceLimit) {
                        trace.removeFirst();
                    }
                    trace.addLast(event.toString());
                }
            }
        } catch (Throwable t) {
            throw new SimulationFailure(seed, failureReport(t), t);
        }
        stats.runs = 1;
        stats.events = scheduler.executed();
        stats.simulatedMs = scheduler.now();
        stats.messages = router.sent;
        stats.messagesDropped = router.dropped;
        stats.messagesDuplicated = router.duplicated;
        stats.leaderTerms = leaderTerms.size();
        stats.checks = checker.checks();
        return new Result(seed, opt, traceHash, stats);
    }

    /**
     * How long the liveness phase may take: 60 election timeouts (at least 10 s), plus 20 ms per
     * log entry at its start, since a seed with one small message in flight per follower catches
     * a lagging follower up at about one entry per round trip.
     */
    private long livenessLimitMs() {
        return Math.max(10_000, 60 * opt.electionTimeoutMs()) + 20 * livenessBacklog;
    }

    private String failureReport(Throwable t) {
        StringBuilder sb = new StringBuilder();
        sb.append("simulation seed ").append(seed).append(" failed at ").append(event).append(":\n  ")
                .append(t instanceof InvariantViolation ? t.getMessage() : t.toString()).append('\n');
        sb.append("reproduce with: ").append(REPRODUCE).append(seed).append('\n');
        sb.append("options: ").append(opt).append('\n');
        sb.append("nodes:\n");
        for (SimNode n : nodes.values()) {
            sb.append("  ").append(n).append(" disk ").append(n.disk.hardState()).append(" log (")
                    .append(n.disk.firstIndex()).append("..").append(n.disk.lastIndex()).append(")\n");
        }
        if (!trace.isEmpty()) {
            sb.append("last ").append(trace.size()).append(" events:\n");
            for (String s : trace) {
                sb.append("  ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ nodes

    private void addNode(long id, boolean initialMember) {
        // Storage bootstrap: every node starts from the cluster's initial configuration at index 0;
        // one added later replays the membership changes from the leader's log (or gets a
        // snapshot). Log bootstrap: initial members write the membership as entries 1..n and
        // joining nodes start empty, as in etcd.
        MemoryRaftStorage disk = opt.logBootstrap() ? new MemoryRaftStorage() : MemoryRaftStorage.withConfState(bootstrap);
        long interval = opt.tickMs() + (opt.tickDriftMs() == 0 ? 0
                : faultRandom.nextInt(2 * opt.tickDriftMs() + 1) - opt.tickDriftMs());
        SimNode n = new SimNode(id, interval, disk);
        n.initialMember = initialMember;
        nodes.put(id, n);
        start(n);
    }

    private void start(SimNode n) {
        Snapshot snap = n.disk.snapshot();
        long index = snap.metadata().index();
        long chain = SimNode.snapshotChain(snap);
        RaftConfig config = RaftConfig.builder(n.id, new SplittableRandom(engineRandom.nextLong()))
                .electionTick(opt.electionTick()).heartbeatTick(opt.heartbeatTick())
                .preVote(opt.preVote()).checkQuorum(opt.checkQuorum())
                .maxSizePerMsg(opt.maxSizePerMsg()).maxInflightMsgs(opt.maxInflightMsgs())
                .maxUncommittedEntriesSize(opt.maxUncommittedSize())
                .disableProposalForwarding(opt.disableForwarding())
                .applied(index).build();
        event.set("start", n.id, null);
        n.raw = new RawNode(config, n.disk);
        n.incarnation++;
        n.readyScheduled = false;
        n.applied = index;
        n.appliedChain = chain;
        n.engineApplied = index;
        n.conf = n.disk.initialState().confState();
        n.maxMemberEver = Math.max(SimNode.snapshotMaxMember(snap), maxId(n.conf));
        n.term = n.disk.hardState().term();
        n.role = StateRole.FOLLOWER;
        n.lead = 0;
        checker.restarted(n.id, index, chain, event);
        // An initial member whose bootstrap never reached its disk starts as new again (etcd
        // decides "new member or restart" by whether its WAL exists).
        if (opt.logBootstrap() && n.initialMember && n.disk.lastIndex() == 0 && n.disk.hardState().isEmpty()) {
            n.raw.bootstrap(bootstrap.voters());
        }
        scheduleTick(n, ioRandom.nextInt((int) n.tickIntervalMs) + 1);
        scheduleReady(n);
    }

    private void crashNode(SimNode n, boolean loseUnsynced) {
        n.raw = null;
        n.incarnation++;
        n.readyScheduled = false;
        n.role = StateRole.FOLLOWER;
        if (loseUnsynced && !n.disk.hardState().equals(n.syncedHardState)) {
            n.disk.setHardState(n.syncedHardState);
            checker.unsyncedWritesLost(n.id, n.syncedHardState);
            stats.unsyncedLost++;
        }
        switch (sabotage) {
            case NONE -> {
            }
            case FORGET_VOTES -> {
                HardState hs = n.disk.hardState();
                n.disk.setHardState(new HardState(hs.term(), 0, hs.commit()));
                checker.unsyncedWritesLost(n.id, n.disk.hardState());
            }
            case LOSE_LOG_TAIL -> {
                long last = n.disk.lastIndex();
                Snapshot snap = n.disk.snapshot();
                long keep = Math.max(snap.metadata().index(), last - 3);
                if (keep < last) {
                    MemoryRaftStorage shorter = new MemoryRaftStorage();
                    shorter.applySnapshot(snap);
                    long from = snap.metadata().index() + 1;
                    if (from <= keep) {
                        shorter.append(n.disk.entries(from, keep + 1, Long.MAX_VALUE));
                    }
                    HardState hs = n.disk.hardState();
                    shorter.setHardState(new HardState(hs.term(), hs.vote(), Math.min(hs.commit(), keep)));
                    n.disk = shorter;
                    checker.unsyncedWritesLost(n.id, shorter.hardState());
                    checker.logLost(n.id, keep);
                }
            }
        }
    }

    /** Sabotage: the node crashes right after granting a vote and comes back without it. */
    private void forgetVoteSoon(SimNode n) {
        int incarnation = n.incarnation;
        scheduler.schedule(0, "sabotage-crash", () -> {
            if (n.raw != null && n.incarnation == incarnation) {
                event.set("sabotage-crash", n.id, null);
                crashNode(n, false);
                scheduler.schedule(1, "restart", () -> {
                    if (n.raw == null && !n.decommissioned) {
                        start(n);
                    }
                });
            }
        });
    }

    private void scheduleTick(SimNode n, long delay) {
        int incarnation = n.incarnation;
        scheduler.schedule(delay, "tick", () -> {
            if (n.raw == null || n.incarnation != incarnation) {
                return;
            }
            event.set("tick", n.id, null);
            traceHash = Hashes.combine(traceHash, n.id * 31 + 1);
            n.raw.tick();
            scheduleReady(n);
            scheduleTick(n, n.tickIntervalMs);
        });
    }

    private void scheduleReady(SimNode n) {
        if (n.readyScheduled || n.raw == null) {
            return;
        }
        n.readyScheduled = true;
        int incarnation = n.incarnation;
        long delay = opt.ioDelayMaxMs() == 0 ? 0 : ioRandom.nextInt(opt.ioDelayMaxMs() + 1);
        scheduler.schedule(delay, "ready", () -> {
            if (n.raw == null || n.incarnation != incarnation) {
                return;
            }
            n.readyScheduled = false;
            if (n.raw.hasReady()) {
                handleReady(n);
            }
        });
    }

    /** Carries out one Ready in the contract's order: persist, send, apply, advance. */
    private void handleReady(SimNode n) {
        RawNode raw = n.raw;
        Ready rd = raw.ready();
        event.set("ready", n.id, null);
        long h = Hashes.combine(traceHash, n.id * 31 + 2);
        h = Hashes.combine(h, rd.entries().size() * 1_000_003L + rd.committedEntries().size() * 1009L + rd.messages().size());
        if (rd.hardState() != null) {
            h = Hashes.combine(h, rd.hardState().hashCode());
        }
        if (rd.softState() != null) {
            h = Hashes.combine(h, rd.softState().leader() * 7 + rd.softState().role().ordinal());
        }
        traceHash = h;

        // 1. Persist: snapshot, entries, hard state; synced when the Ready says so.
        boolean changedLog = rd.snapshot() != null || !rd.entries().isEmpty();
        Snapshot snap = rd.snapshot();
        if (snap != null) {
            n.disk.applySnapshot(snap);
            checker.snapshotReceived(n.id, snap.metadata().index(), snap.metadata().term(), SimNode.snapshotChain(snap),
                    event);
        }
        if (!rd.entries().isEmpty()) {
            n.disk.append(rd.entries());
            checker.entriesPersisted(n.id, rd.entries(), event);
        }
        if (rd.hardState() != null) {
            if (sabotage == Sabotage.FORGET_VOTES && rd.hardState().vote() != 0 && rd.hardState().vote() != n.id
                    && rd.hardState().vote() != n.disk.hardState().vote()) {
                forgetVoteSoon(n);
            }
            n.disk.setHardState(rd.hardState());
            checker.hardStatePersisted(n.id, rd.hardState(), rd.mustSync(), changedLog, event);
            n.term = rd.hardState().term();
        } else if (changedLog) {
            checker.logPersistedWithoutHardState(n.id, rd.mustSync(), event);
        }
        if (rd.mustSync()) {
            n.syncedHardState = n.disk.hardState();
        }
        // Read states in this Ready may have been answered under the role of the previous one.
        boolean ledBefore = n.role == StateRole.LEADER;
        if (rd.softState() != null) {
            n.role = rd.softState().role();
            n.lead = rd.softState().leader();
        }
        if (n.role == StateRole.LEADER) {
            leaderTerms.add(n.term);
            checker.leaderSeen(n.id, n.term, event);
            checker.leaderLogChecked(n.id, n.term, n.disk.hardState().commit(), event);
        }

        // 2. Send, only now that step 1 is durable.
        for (Message m : rd.messages()) {
            if (m.type() == MessageType.SNAP) {
                stats.snapshotsSent++;
                m = freshSnapshot(n, m);
            }
            router.send(m);
        }

        // 3. Apply: the snapshot, then the committed entries in order.
        if (snap != null) {
            long chain = SimNode.snapshotChain(snap);
            checker.snapshotApplied(n.id, n.term, snap.metadata().index(), chain, event);
            ConfState before = n.conf;
            n.applied = snap.metadata().index();
            n.appliedChain = chain;
            n.conf = snap.metadata().confState();
            n.maxMemberEver = Math.max(SimNode.snapshotMaxMember(snap), maxId(n.conf));
            stats.snapshotsInstalled++;
            decommissionRemoved(n, before, n.conf);
        }
        for (Entry e : rd.committedEntries()) {
            apply(n, e);
        }
        for (ReadState rs : rd.readStates()) {
            readStateReceived(n, rs, ledBefore || n.role == StateRole.LEADER);
        }

        // 4. Advance.
        raw.advance(rd);
        Status st = raw.status();
        if (st.applied() < n.engineApplied || st.applied() != n.applied) {
            throw new InvariantViolation("Applied monotonic violated at [" + event + "]: the engine reports applied "
                    + st.applied() + " (before: " + n.engineApplied + ") but the state machine applied " + n.applied);
        }
        n.engineApplied = st.applied();
        maybeCompact(n);
        maybeDecommission(n);
        if (raw.hasReady()) {
            scheduleReady(n);
        }
    }

    /**
     * The engine sends the newest snapshot in storage, which may predate the recipient's addition
     * to the configuration; the engine (like etcd's) refuses a snapshot that does not list it, so
     * such a node could never catch up. Like etcd's server ({@code createMergedSnapshotMessage}),
     * the sender then ships its current state machine instead, at its applied index. Some seeds
     * always do so ({@link SwarmOptions#freshSnapshots()}).
     */
    private Message freshSnapshot(SimNode n, Message m) {
        Snapshot stored = m.snapshot();
        boolean recipientListed = SimNode.isMember(stored.metadata().confState(), m.to());
        if ((recipientListed && !opt.freshSnapshots()) || n.applied <= stored.metadata().index()) {
            return m;
        }
        long term = n.disk.term(n.applied);
        Snapshot fresh = new Snapshot(new io.cairn.raft.SnapshotMetadata(n.conf, n.applied, term),
                SimNode.encodeSnapshotData(n.applied, n.appliedChain, n.maxMemberEver));
        stats.freshSnapshots++;
        return m.toBuilder().snapshot(fresh).build();
    }

    private void apply(SimNode n, Entry e) {
        checker.applied(n.id, n.term, e, event);
        n.applied = e.index();
        n.appliedChain = Hashes.chain(n.appliedChain, e);
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = RaftCodec.decodeConfChange(e.data());
            ConfState before = n.conf;
            if (readdsRemovedMember(n, cc)) {
                // The application refuses it (etcd's server validates every change when applying
                // it, from its replicated membership state): a removed id stays removed. Every node
                // decides the same way from the same state.
                stats.confChangesRejected++;
            } else {
                try {
                    n.conf = n.raw.applyConfChange(cc);
                    stats.confChangesApplied++;
                } catch (RaftException ex) {
                    // Every node rejects the same change in the same configuration: no divergence.
                    stats.confChangesRejected++;
                }
            }
            n.maxMemberEver = Math.max(n.maxMemberEver, maxId(n.conf));
            decommissionRemoved(n, before, n.conf);
        } else if (e.data().length >= 8) {
            long proposalId = ByteBuffer.wrap(e.data()).getLong();
            long[] p = pending.get(proposalId);
            if (p != null && p[0] == n.id && p[1] == n.incarnation) {
                pending.remove(proposalId);
                stats.acked++;
                maxAckedIndex = Math.max(maxAckedIndex, e.index());
            }
        }
    }

    /**
     * A member removed by a committed change is stopped for good (as etcd stops a removed member);
     * ids are never reused. Not at once: until a voter of the new configuration knows durably
     * that the removal is committed, the remaining nodes may still need the removed node's vote
     * (a crash may take back an applied-but-unsynced commit index). So the removal waits in
     * {@link #pendingRemovals} until {@link #maybeDecommission} sees such a voter.
     */
    private static final boolean DEBUG = Boolean.getBoolean("cairn.sim.debug");
    static final boolean STRICT_READS = Boolean.parseBoolean(System.getProperty("cairn.sim.strictReads", "true"));

    private void decommissionRemoved(SimNode applier, ConfState before, ConfState after) {
        if (DEBUG && !before.equals(after)) {
            System.out.println("t=" + scheduler.now() + " node " + applier.id + " at " + applier.applied + ": " + before
                    + " -> " + after);
        }
        for (long id : allMembers(before)) {
            if (!SimNode.isMember(after, id)) {
                pendingRemovals.merge(id, applier.applied, Math::min);
            }
        }
    }

    /** Stops removed nodes once {@code n}, a voter without them, has synced a commit index covering their removal. */
    private void maybeDecommission(SimNode n) {
        if (pendingRemovals.isEmpty() || n.raw == null || !n.conf.voters().contains(n.id)) {
            return;
        }
        for (var it = pendingRemovals.entrySet().iterator(); it.hasNext();) {
            var removal = it.next();
            long id = removal.getKey();
            if (SimNode.isMember(n.conf, id) || n.applied < removal.getValue()
                    || n.syncedHardState.commit() < removal.getValue()) {
                continue;
            }
            it.remove();
            if (DEBUG) {
                System.out.println("t=" + scheduler.now() + " decommission " + id + " because node " + n.id + " has "
                        + n.conf + " applied " + n.applied + " synced " + n.syncedHardState);
            }
            SimNode gone = nodes.get(id);
            if (gone != null && !gone.decommissioned) {
                gone.decommissioned = true;
                stats.nodesRemoved++;
                // Not at once: the node may be the one applying.
                scheduler.schedule(0, "decommission", () -> {
                    event.set("decommission", id, null);
                    if (gone.raw != null) {
                        crashNode(gone, false);
                    }
                });
            }
        }
    }

    /** Whether {@code cc} adds an id that was a member before and is not now (it was removed). */
    private static boolean readdsRemovedMember(SimNode n, ConfChange cc) {
        for (ConfChangeSingle c : cc.changes()) {
            if (c.type() != ConfChangeType.REMOVE && c.nodeId() <= n.maxMemberEver && !SimNode.isMember(n.conf, c.nodeId())) {
                return true;
            }
        }
        return false;
    }

    private static long maxId(ConfState c) {
        long max = 0;
        for (long id : allMembers(c)) {
            max = Math.max(max, id);
        }
        return max;
    }

    private static TreeSet<Long> allMembers(ConfState c) {
        TreeSet<Long> ids = new TreeSet<>(c.voters());
        ids.addAll(c.learners());
        ids.addAll(c.votersOutgoing());
        ids.addAll(c.learnersNext());
        return ids;
    }

    private void maybeCompact(SimNode n) {
        if (opt.compactEvery() == 0) {
            return;
        }
        long snapIndex = n.disk.snapshot().metadata().index();
        if (n.applied - snapIndex < opt.compactEvery()) {
            return;
        }
        n.disk.createSnapshot(n.applied, n.conf, SimNode.encodeSnapshotData(n.applied, n.appliedChain, n.maxMemberEver));
        long compactTo = n.applied - opt.compactKeep();
        if (compactTo > n.disk.firstIndex() - 1) {
            n.disk.compact(compactTo);
        }
        // Writing the snapshot syncs the disk, and a sync flushes every earlier write.
        n.syncedHardState = n.disk.hardState();
        stats.compactions++;
    }

    // ------------------------------------------------------------------ network

    private void deliver(Message m) {
        SimNode to = nodes.get(m.to());
        if (to == null || to.raw == null) {
            lost(m, false);
            return;
        }
        event.set("deliver", m.to(), m);
        long h = Hashes.combine(traceHash, m.to() * 31 + 3);
        h = Hashes.combine(h, m.type().ordinal() * 1_000_003L + m.from() * 1009 + m.term());
        h = Hashes.combine(h, m.index() * 1_000_003L + m.logTerm() * 1009 + m.commit());
        traceHash = Hashes.combine(h, m.entries().size() * 2 + (m.reject() ? 1 : 0));
        to.raw.step(m);
        if (m.type() == MessageType.SNAP) {
            reportSnapshot(m, true);
        }
        scheduleReady(to);
    }

    private void lost(Message m, boolean blocked) {
        if (m.type() == MessageType.SNAP) {
            reportSnapshot(m, false);
        } else if (blocked && m.type() == MessageType.APP) {
            // The transport notices a broken link, as etcd's does, and tells the leader.
            SimNode from = nodes.get(m.from());
            if (from != null && from.raw != null) {
                int incarnation = from.incarnation;
                scheduler.schedule(1 + ioRandom.nextInt(opt.tickMs()), "unreachable", () -> {
                    if (from.raw != null && from.incarnation == incarnation) {
                        event.set("unreachable", from.id, m.to());
                        from.raw.reportUnreachable(m.to());
                        scheduleReady(from);
                    }
                });
            }
        }
    }

    private void reportSnapshot(Message m, boolean ok) {
        SimNode from = nodes.get(m.from());
        if (from == null) {
            return;
        }
        scheduler.schedule(1 + ioRandom.nextInt(opt.tickMs()), "snapshot-status", () -> {
            if (from.raw != null) {
                event.set("snapshot-status", from.id, m.to() + (ok ? " ok" : " failed"));
                traceHash = Hashes.combine(traceHash, from.id * 31 + (ok ? 4 : 5));
                from.raw.reportSnapshot(m.to(), ok);
                scheduleReady(from);
            }
        });
    }

    // ------------------------------------------------------------------ workload and faults

    private void scheduleRepeating(int meanMs, String kind, Runnable action) {
        scheduleRepeating(workloadRandom, meanMs, kind, action);
    }

    private void scheduleRepeating(SplittableRandom random, int meanMs, String kind, Runnable action) {
        if (meanMs <= 0) {
            return;
        }
        double u = random.nextDouble();
        long delay = Math.max(1, (long) (-meanMs * Math.log(1 - u)));
        scheduler.schedule(delay, kind, () -> {
            if (!faultPhase) {
                return;
            }
            event.set(kind, 0, null);
            traceHash = Hashes.combine(traceHash, kind.hashCode());
            action.run();
            scheduleRepeating(random, meanMs, kind, action);
        });
    }

    private List<SimNode> upNodes() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.raw != null) {
                up.add(n);
            }
        }
        return up;
    }

    private <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    private void propose() {
        List<SimNode> up = upNodes();
        if (up.isEmpty()) {
            return;
        }
        SimNode n = pick(workloadRandom, up);
        event.set("propose", n.id, null);
        int batch = 1 + workloadRandom.nextInt(opt.proposalBatchMax());
        for (int i = 0; i < batch; i++) {
            long id = nextProposalId++;
            byte[] data = new byte[8 + workloadRandom.nextInt(opt.payloadMaxBytes() + 1)];
            ByteBuffer.wrap(data).putLong(id);
            try {
                n.raw.propose(data);
                pending.put(id, new long[] {n.id, n.incarnation});
                stats.proposals++;
            } catch (ProposalDroppedException e) {
                stats.refused++;
            }
        }
        scheduleReady(n);
    }

    /**
     * A client asks a random node for a linearizable read. The read is linearizable only if its
     * read index covers every write acknowledged before it was asked: that index is recorded now
     * and checked when the {@link ReadState} comes back ({@link #readStateReceived}).
     */
    private void readIndex() {
        List<SimNode> up = upNodes();
        if (up.isEmpty()) {
            return;
        }
        SimNode n = pick(readRandom, up);
        long id = nextReadId++;
        event.set("read-index", n.id, "read " + id);
        try {
            n.raw.readIndex(ByteBuffer.allocate(8).putLong(id).array());
            pendingReads.put(id, new long[] {n.id, n.incarnation, maxAckedIndex});
            stats.readsRequested++;
        } catch (ProposalDroppedException e) {
            stats.refused++;
        }
        scheduleReady(n);
    }

    private void readStateReceived(SimNode n, ReadState rs, boolean leading) {
        if (rs.requestContext().length != 8) {
            throw new InvariantViolation("Linearizable read violated at [" + event + "]: node " + n.id
                    + " got a read state for a context the simulator never sent: " + rs);
        }
        long id = ByteBuffer.wrap(rs.requestContext()).getLong();
        // A read may be answered twice (the network duplicates the request) or reach a restarted
        // asker (a response still in flight): each answer must still cover the acknowledged writes.
        long[] r = pendingReads.get(id);
        if (r == null) {
            throw new InvariantViolation("Linearizable read violated at [" + event + "]: node " + n.id
                    + " got " + rs + " for a read no node asked for");
        }
        if (r[0] != n.id) {
            // Fixed engine issue (KnownEngineIssuesTest.reForwardedReadIndexIsAnsweredToTheAsker):
            // a re-forwarded read must be answered to the node that asked, never to a forwarder.
            stats.readsMisdelivered++;
            if (STRICT_READS) {
                throw new InvariantViolation("Read answered to the wrong node at [" + event + "]: node " + n.id
                        + " got " + rs + " for a read that node " + r[0] + " asked for");
            }
        }
        if (rs.index() < r[2] && !STRICT_READS && leading && !n.conf.voters().contains(n.id)
                && !n.conf.votersOutgoing().contains(n.id)) {
            // Fixed engine issue (KnownEngineIssuesTest.demotedLeaderDoesNotAnswerReadsWithoutQuorum):
            // a leader removed or demoted to learner answered reads without a quorum. Strict by
            // default now; -Dcairn.sim.strictReads=false only counts such reads.
            stats.staleReadsFromNonVoterLeader++;
            return;
        }
        if (rs.index() < r[2]) {
            throw new InvariantViolation("Linearizable read violated at [" + event + "]: node " + n.id + " got read index "
                    + rs.index() + " for read " + id + ", below index " + r[2]
                    + " which was acknowledged to a client before the read was asked");
        }
        stats.readsAnswered++;
    }

    private void partition() {
        List<Long> ids = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (!n.decommissioned) {
                ids.add(n.id);
            }
        }
        if (ids.size() < 2) {
            return;
        }
        for (int i = ids.size() - 1; i > 0; i--) {
            int j = faultRandom.nextInt(i + 1);
            Long t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        int cut = 1 + faultRandom.nextInt(ids.size() - 1);
        boolean oneWay = faultRandom.nextDouble() < opt.oneWayRate();
        MessageRouter.Partition p = router.partition(List.copyOf(ids.subList(0, cut)),
                List.copyOf(ids.subList(cut, ids.size())), oneWay);
        event.set("partition", 0, p.description());
        stats.partitions++;
        scheduler.schedule(1 + faultRandom.nextInt(opt.partitionMaxMs()), "heal", () -> {
            event.set("heal", 0, p.description());
            router.heal(p);
        });
    }

    private void crash() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode n : upNodes()) {
            if (!n.decommissioned) {
                up.add(n);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        SimNode n = pick(faultRandom, up);
        boolean loseUnsynced = faultRandom.nextDouble() < opt.loseUnsyncedRate();
        event.set("crash", n.id, loseUnsynced ? "losing unsynced writes" : null);
        crashNode(n, loseUnsynced);
        stats.crashes++;
        scheduler.schedule(1 + faultRandom.nextInt(opt.downMaxMs()), "restart", () -> {
            if (n.raw == null && !n.decommissioned) {
                event.set("restart", n.id, null);
                start(n);
            }
        });
    }

    /** The node that leads the highest term among the nodes that think they lead, or null. */
    private SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.raw != null && n.role == StateRole.LEADER && (best == null || n.term > best.term)) {
                best = n;
            }
        }
        return best;
    }

    private void confChange() {
        SimNode leader = leader();
        if (leader == null) {
            return;
        }
        ConfState conf = leader.conf;
        ConfChange cc;
        long newId = 0;
        if (conf.isJoint()) {
            if (conf.autoLeave()) {
                return;
            }
            cc = ConfChange.leaveJoint();
        } else {
            List<Long> voters = List.copyOf(conf.voters());
            List<Long> learners = List.copyOf(conf.learners());
            boolean canAdd = nodesAdded < MAX_NEW_NODES && nextNodeId <= MessageRouter.MAX_ID;
            List<Integer> choices = new ArrayList<>();
            if (canAdd) {
                choices.add(0);
                if (voters.size() < MAX_VOTERS) {
                    choices.add(1);
                }
            }
            if (!learners.isEmpty() && voters.size() < MAX_VOTERS) {
                choices.add(2);
            }
            if (voters.size() >= 2) {
                choices.add(3);
                choices.add(5);
            }
            if (!learners.isEmpty()) {
                choices.add(4);
            }
            if (voters.size() >= 1 && (canAdd || !learners.isEmpty())) {
                choices.add(6);
            }
            if (choices.isEmpty()) {
                return;
            }
            switch (pick(faultRandom, choices)) {
                case 0 -> {
                    newId = nextNodeId;
                    cc = ConfChange.addLearner(newId);
                }
                case 1 -> {
                    newId = nextNodeId;
                    cc = ConfChange.addVoter(newId);
                }
                case 2 -> cc = ConfChange.addVoter(pick(faultRandom, learners));
                case 3 -> cc = ConfChange.remove(pick(faultRandom, voters));
                case 4 -> cc = ConfChange.remove(pick(faultRandom, learners));
                case 5 -> cc = ConfChange.addLearner(pick(faultRandom, voters));
                default -> {
                    // Replace a voter through a joint configuration.
                    long incoming;
                    if (!learners.isEmpty() && (!canAdd || faultRandom.nextBoolean())) {
                        incoming = pick(faultRandom, learners);
                    } else {
                        newId = nextNodeId;
                        incoming = newId;
                    }
                    long outgoing = pick(faultRandom, voters);
                    ConfChangeType out = faultRandom.nextBoolean() ? ConfChangeType.REMOVE : ConfChangeType.ADD_LEARNER;
                    ConfChangeTransition tr = ConfChangeTransition.values()[faultRandom.nextInt(3)];
                    cc = ConfChange.joint(tr, new ConfChangeSingle(ConfChangeType.ADD_VOTER, incoming),
                            new ConfChangeSingle(out, outgoing));
                }
            }
        }
        if (newId != 0) {
            nextNodeId++;
            nodesAdded++;
            stats.nodesAdded++;
            addNode(newId, false);
        }
        List<SimNode> up = upNodes();
        SimNode via = faultRandom.nextBoolean() ? leader : pick(faultRandom, up);
        event.set("conf-change", via.id, cc);
        try {
            via.raw.proposeConfChange(cc);
            stats.confChangesProposed++;
        } catch (ProposalDroppedException e) {
            stats.refused++;
        }
        scheduleReady(via);
    }

    private void transfer() {
        List<SimNode> up = upNodes();
        if (up.isEmpty()) {
            return;
        }
        SimNode n = pick(faultRandom, up);
        List<Long> voters = List.copyOf(n.conf.voters());
        if (voters.isEmpty()) {
            return;
        }
        long target = pick(faultRandom, voters);
        event.set("transfer", n.id, "to " + target);
        n.raw.transferLeader(target);
        stats.transfers++;
        scheduleReady(n);
    }

    // ------------------------------------------------------------------ liveness

    private void startLiveness() {
        event.set("end-of-faults", 0, null);
        faultPhase = false;
        livenessStart = scheduler.now();
        livenessTarget = maxAckedIndex;
        for (SimNode n : nodes.values()) {
            livenessBacklog = Math.max(livenessBacklog, n.disk.lastIndex());
        }
        router.healAll(LIVENESS_MAX_DELAY_MS);
        for (SimNode n : nodes.values()) {
            if (n.raw == null && !n.decommissioned) {
                start(n);
            }
        }
        scheduleLivenessCheck();
    }

    private void scheduleLivenessCheck() {
        scheduler.schedule(opt.tickMs(), "liveness-check", () -> {
            event.set("liveness-check", 0, null);
            String missing = livenessMissing();
            if (missing == null) {
                livenessDone = true;
                return;
            }
            if (Boolean.getBoolean("cairn.sim.debugLiveness") && (scheduler.now() - livenessStart) % 1000 == 0) {
                System.out.println("t=" + scheduler.now() + " " + missing + " acked " + maxAckedIndex + " " + nodes.values());
            }
            if (scheduler.now() - livenessStart > livenessLimitMs()) {
                throw new InvariantViolation("Liveness violated: " + (scheduler.now() - livenessStart)
                        + "ms after the faults stopped: " + missing + " (index acknowledged when the faults stopped "
                        + livenessTarget + ", highest acknowledged now " + maxAckedIndex + ")");
            }
            scheduleLivenessCheck();
        });
    }

    /** What keeps the cluster from being done, or null when a leader exists and every member applied everything. */
    private String livenessMissing() {
        SimNode leader = leader();
        if (leader == null) {
            return "no leader";
        }
        ConfState conf = leader.conf;
        if (conf.isJoint()) {
            if (!conf.autoLeave()) {
                try {
                    leader.raw.proposeConfChange(ConfChange.leaveJoint());
                    scheduleReady(leader);
                } catch (ProposalDroppedException e) {
                    // pending already; retried at the next check
                }
            }
            return "leader " + leader.id + " is in the joint configuration " + conf;
        }
        long commit = leader.raw.status().hardState().commit();
        if (commit < livenessTarget) {
            return "leader " + leader.id + " has commit " + commit;
        }
        for (long id : allMembers(conf)) {
            SimNode m = nodes.get(id);
            if (m == null || m.raw == null) {
                return "member " + id + " of " + conf + " is not running";
            }
            if (m.applied < livenessTarget) {
                return "member " + id + " applied " + m.applied + " (leader " + leader.id + " commit " + commit + ")";
            }
            if (m.appliedChain != checker.committedChain(m.applied) && checker.committedChain(m.applied) != 0) {
                throw new InvariantViolation("State machine safety violated at [" + event + "]: member " + id
                        + " state at " + m.applied + " differs from the committed one");
            }
        }
        return null;
    }
}
