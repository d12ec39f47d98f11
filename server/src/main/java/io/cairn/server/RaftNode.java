package io.cairn.server;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.StatusCode;
import io.cairn.api.cluster.Member;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.maintenance.AlarmMember;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.raft.ConfChange;
import io.cairn.raft.ConfChangeSingle;
import io.cairn.raft.ConfChangeType;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.ProgressStatus;
import io.cairn.raft.ProposalDroppedException;
import io.cairn.raft.RaftCodec;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RawNode;
import io.cairn.raft.ReadState;
import io.cairn.raft.Ready;
import io.cairn.raft.Snapshot;
import io.cairn.raft.SoftState;
import io.cairn.raft.StateRole;
import io.cairn.server.lease.Lessor;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.server.mvcc.WriteResult;
import io.cairn.server.raftlog.BackendRaftStorage;
import io.cairn.spi.storage.Backend;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node: one dedicated thread owns the {@link RawNode} and runs etcd's loop — tick every
 * {@link #TICK_MILLIS} ms; take proposals and read requests from a queue; on each Ready persist
 * (one batch, synced when needed: every proposal drained into the Ready shares it), send, apply
 * the committed entries to the {@link MvccStore} and {@link Lessor}, serve reads, advance.
 *
 * <p>Every write goes through Raft, even on one member. Linearizable reads take a ReadIndex, one
 * for every read waiting when it is issued, and are served once the applied index reaches it.
 *
 * <p>Threading: the public methods may be called from any thread; futures complete on
 * {@code completions}, never on the loop thread (a caller blocking in a callback cannot stall
 * the node).
 */
final class RaftNode implements AutoCloseable {

    /** etcd's defaults: 100 ms heartbeat, election timeout 10 ticks. */
    static final int TICK_MILLIS = 100;
    static final int ELECTION_TICKS = 10;
    static final int HEARTBEAT_TICKS = 1;
    static final long REQUEST_TIMEOUT_MILLIS = 7_000;
    /**
     * How often proposals past their timeout are failed: one sweep of the pending map instead of a
     * timer task per request (each was a scheduler insert and, 7 s later, a task on another thread).
     */
    private static final long TIMEOUT_SWEEP_MILLIS = 250;
    /** Completions handed to the completion executor per task (a Ready's are split over its threads). */
    private static final int COMPLETIONS_PER_TASK = 64;
    /** etcd's --snapshot-count default: a snapshot (and log compaction) every this many applied entries. */
    static final long DEFAULT_SNAPSHOT_COUNT = 10_000;
    /** etcd's snapshotCatchUpEntries: entries kept behind a snapshot, so slow followers catch up from the log. */
    static final long DEFAULT_CATCH_UP_ENTRIES = 5_000;
    /** Lease revokes proposed per tick at most (etcd paces expiry too). */
    static final int EXPIRED_LEASES_PER_TICK = 64;

    /** The seam for peers: sends messages after the Ready's persistence. Called on the loop thread only. */
    interface PeerSender {
        /** One member, no peers: every message would be for a peer that does not exist. */
        PeerSender NONE = messages -> {};

        /**
         * Sends {@code messages} without blocking. A {@link MessageType#SNAP} message must be answered
         * with {@link RaftNode#reportSnapshot} once its transfer ends (the state to send is read from a
         * consistent view taken in this call, on the loop thread, between two applied entries).
         */
        void send(List<Message> messages);
    }

    /** Replaces the state machine with a received snapshot's state (loop thread, before the log records it). */
    interface SnapshotInstaller {
        SnapshotInstaller NONE = index -> {
            throw new IllegalStateException("this member cannot install snapshots (no peers)");
        };

        void install(long index);
    }

    /** Thrown into pending requests when this member learns it was removed. */
    static final String REMOVED_MESSAGE = "etcdserver: the member has been permanently removed from the cluster";

    private final long memberId;
    private final BackendRaftStorage log;
    private final Backend stateBackend;
    private final MvccStore store;
    private final Lessor lessor;
    private final MemberTable members;
    private final ApplyListener listener;
    private volatile PeerSender peers = PeerSender.NONE;
    private volatile SnapshotInstaller installer = SnapshotInstaller.NONE;
    /** The raised alarms; null: none are kept (tests that build a node without them). */
    private volatile AlarmTable alarms;
    private final Executor completions;
    private final RawNode raw;
    private final int maxRequestBytes;

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Map<Long, Proposal> pending = new ConcurrentHashMap<>();
    /** Loop thread: the answers of the Ready being applied, handed to {@link #completions} together. */
    private final List<Runnable> appliedAnswers = new ArrayList<>();
    /** Loop thread: the term each pending proposal was handed to Raft in (to fail it fast when dropped). */
    private final Map<Long, Long> proposedInTerm = new HashMap<>();
    private final AtomicLong nextRequestId;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    // Published for status and headers.
    private volatile long term;
    private volatile long leader;
    private volatile long appliedIndex;
    /** Loop thread: start-up lines while the committed entries the state machine lacks are applied. */
    private final ReplayProgress replay;
    private volatile long lastIndex;
    private final AtomicLong readies = new AtomicLong();
    private final AtomicLong appliedProposals = new AtomicLong();
    private final RaftStats stats = new RaftStats();
    private final CompletableFuture<Void> firstLeader = new CompletableFuture<>();

    // Loop-thread state.
    private final List<Runnable> heldProposals = new ArrayList<>();
    private long removedAtTick = -1;
    private final List<CompletableFuture<Void>> readsWaitingForIndex = new ArrayList<>();
    private ReadBatch readInFlight;
    private final ArrayDeque<ReadBatch> readsWaitingForApply = new ArrayDeque<>();
    private long readContextCounter;
    private final Map<Long, Long> revokingSince = new HashMap<>();
    private long ticks;
    // Snapshot policy; volatile so tests may tighten it from another thread.
    private volatile long snapshotCount = DEFAULT_SNAPSHOT_COUNT;
    private volatile long catchUpEntries = DEFAULT_CATCH_UP_ENTRIES;
    /** Loop thread: the applied index of the last snapshot (log compaction). */
    private long snapshotIndex;

    private record ReadBatch(byte[] context, List<CompletableFuture<Void>> waiters, long issuedAtTick, long[] index) {}

    /**
     * @param initialVoters the voters to bootstrap with on an empty log (etcd's
     *     {@code --initial-cluster-state new}); empty to join an existing cluster, whose leader
     *     then sends this member the log or a snapshot
     */
    RaftNode(long memberId, BackendRaftStorage log, Backend stateBackend, MvccStore store, Lessor lessor,
             MemberTable members, ApplyListener listener, List<Long> initialVoters, Executor completions,
             int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
        this.memberId = memberId;
        this.log = log;
        this.stateBackend = stateBackend;
        this.store = store;
        this.lessor = lessor;
        this.members = members;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.completions = Objects.requireNonNull(completions, "completions");
        // Request ids need only be unique among this process's proposals and the unapplied ones of
        // a previous run that replay finds in the log: start from a random point.
        this.nextRequestId = new AtomicLong((new SplittableRandom().nextLong() >>> 2) | 1);

        boolean fresh = log.lastIndex() == 0 && log.hardState().isEmpty();
        long snapshotIndex = log.snapshot().metadata().index();
        long applied = Math.min(store.consistentIndex(), log.hardState().commit());
        if (store.consistentIndex() < snapshotIndex) {
            throw new IllegalStateException("the state machine is at index " + store.consistentIndex()
                    + " but the Raft log was compacted to " + snapshotIndex + ": entries in between are lost");
        }
        RaftConfig config = RaftConfig.builder(memberId, new SplittableRandom())
                .electionTick(ELECTION_TICKS).heartbeatTick(HEARTBEAT_TICKS)
                .preVote(true).checkQuorum(true)
                .applied(Math.max(applied, snapshotIndex))
                .build();
        this.raw = new RawNode(config, log);
        if (fresh && !initialVoters.isEmpty()) {
            // etcd's --initial-cluster-state new: every initial member bootstraps the same voters.
            raw.bootstrap(initialVoters);
        }
        this.appliedIndex = Math.max(applied, snapshotIndex);
        System.Logger replayLog = System.getLogger(RaftNode.class.getName());
        this.replay = new ReplayProgress(appliedIndex, log.hardState().commit(), System::nanoTime,
                line -> replayLog.log(System.Logger.Level.INFO, line));
        this.snapshotIndex = snapshotIndex;
        this.lastIndex = log.lastIndex();
        this.term = log.hardState().term();
        this.thread = Thread.ofPlatform().name("cairn-raft-" + Long.toHexString(memberId)).daemon(true)
                .unstarted(this::loop);
    }

    void start() {
        thread.start();
        scheduleTimeoutSweep();
    }

    /** A proposal's future, with the time after which {@link #sweepTimeouts} fails it with TIMEOUT. */
    private static final class Proposal extends CompletableFuture<Object> {
        final long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MILLIS);
    }

    private void scheduleTimeoutSweep() {
        CompletableFuture.delayedExecutor(TIMEOUT_SWEEP_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (running) {
                sweepTimeouts();
                scheduleTimeoutSweep();
            }
        });
    }

    /**
     * Fails the proposals not applied within {@link #REQUEST_TIMEOUT_MILLIS} (up to a sweep interval
     * later) with etcd's timeout. Runs off the loop thread, so a stalled loop still times them out.
     */
    private void sweepTimeouts() {
        long now = System.nanoTime();
        for (Map.Entry<Long, Proposal> e : pending.entrySet()) {
            Proposal future = e.getValue();
            if (now - future.deadlineNanos >= 0 && pending.remove(e.getKey(), future)) {
                stats.proposalFailed();
                future.completeExceptionally(new CairnException(ErrorCode.TIMEOUT));
            }
        }
    }

    /** Wires the alarm table (before {@link #start}): alarm entries change it, NOSPACE caps writes. */
    void alarms(AlarmTable table) {
        this.alarms = Objects.requireNonNull(table, "table");
    }

    /** Wires the peers (before {@link #start}). */
    void peers(PeerSender sender, SnapshotInstaller snapshotInstaller) {
        this.peers = Objects.requireNonNull(sender, "sender");
        this.installer = Objects.requireNonNull(snapshotInstaller, "snapshotInstaller");
    }

    // ---- requests (any thread) ----------------------------------------------------------------

    /**
     * Proposes {@code request} and completes with its response once applied, or with the
     * {@link CairnException} applying it threw; {@link ErrorCode#TIMEOUT} after
     * {@link #REQUEST_TIMEOUT_MILLIS}; {@link ErrorCode#STOPPED} if the node stops first.
     */
    @SuppressWarnings("unchecked")
    <R> CompletableFuture<R> propose(Object request) {
        long id = nextRequestId.getAndIncrement();
        byte[] data = RequestCodec.encode(id, request);
        Proposal future = new Proposal();
        if (data.length > maxRequestBytes) {
            future.completeExceptionally(new CairnException(ErrorCode.REQUEST_TOO_LARGE));
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        if (!running) {
            future.completeExceptionally(stopped());
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        pending.put(id, future); // failed by sweepTimeouts unless applied in time
        submit(() -> proposeOnLoop(data, id));
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
    }

    /**
     * Proposes a membership change carrying {@code member} (the added member's record, or null) and
     * completes once it is applied here: with TRUE, or with etcd's error if the apply refused it.
     */
    CompletableFuture<Object> proposeConfChange(ConfChangeSingle change, Member member) {
        long id = nextRequestId.getAndIncrement();
        byte[] record = member == null ? new byte[0] : MemberTable.encodeMember(member);
        byte[] context = ByteBuffer.allocate(8 + record.length).putLong(id).put(record).array();
        ConfChange cc = new ConfChange(io.cairn.raft.ConfChangeTransition.AUTO, List.of(change), context);
        Proposal future = new Proposal();
        if (!running) {
            future.completeExceptionally(stopped());
            return future;
        }
        pending.put(id, future); // failed by sweepTimeouts unless applied in time
        submit(() -> proposeConfChangeOnLoop(cc, id));
        return future;
    }

    /** Steps a message from a peer (any thread); malformed or misaddressed messages are dropped. */
    void deliver(Message m) {
        if (m.to() != memberId) {
            return;
        }
        stats.received(m, System.nanoTime());
        submit(() -> {
            try {
                raw.step(m);
            } catch (IllegalArgumentException malformed) {
                System.getLogger(RaftNode.class.getName()).log(System.Logger.Level.WARNING,
                        "dropped a malformed message from " + Long.toHexString(m.from()) + ": " + malformed.getMessage());
            }
        });
    }

    void reportUnreachable(long peer) {
        stats.unreachable(peer);
        submit(() -> raw.reportUnreachable(peer));
    }

    void reportSnapshot(long peer, boolean succeeded) {
        submit(() -> raw.reportSnapshot(peer, succeeded));
    }

    /**
     * Asks the leader (this member) to hand leadership to {@code transferee}; completes when it
     * leads, fails with etcd's errors when this member is not the leader or the transfer times out.
     */
    CompletableFuture<Void> transferLeadership(long transferee) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            if (leader != memberId) {
                done.completeExceptionally(new CairnException(ErrorCode.NOT_LEADER));
                return;
            }
            if (!raw.status().config().voters().contains(transferee)) {
                done.completeExceptionally(new CairnException(ErrorCode.BAD_LEADER_TRANSFEREE));
                return;
            }
            if (transferee == memberId) {
                done.complete(null);
                return;
            }
            raw.transferLeader(transferee);
            leadershipWaiters.add(new LeadershipWaiter(transferee, ticks, done));
        });
        return done.thenApplyAsync(v -> v, completions);
    }

    private record LeadershipWaiter(long expected, long sinceTick, CompletableFuture<Void> done) {}
    private final List<LeadershipWaiter> leadershipWaiters = new ArrayList<>();

    /**
     * Whether learner {@code id} is in sync with this leader, etcd's rule: its match index is at
     * least 90% of the leader's. Completes with false on a follower (it cannot tell).
     */
    CompletableFuture<Boolean> learnerInSync(long id) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        submit(() -> {
            if (leader != memberId) {
                answer.complete(false);
                return;
            }
            Map<Long, ProgressStatus> progress = raw.status().progress();
            ProgressStatus learner = progress.get(id);
            ProgressStatus self = progress.get(memberId);
            answer.complete(learner != null && self != null && learner.match() >= self.match() * 9 / 10);
        });
        return answer.thenApplyAsync(v -> v, completions);
    }

    /**
     * The voters this leader could hand leadership to, best first ({@link #mostUpToDateFirst}); empty
     * on a follower.
     */
    CompletableFuture<List<Long>> transferees() {
        CompletableFuture<List<Long>> answer = new CompletableFuture<>();
        submit(() -> {
            if (leader != memberId) {
                answer.complete(List.of());
                return;
            }
            var status = raw.status();
            answer.complete(mostUpToDateFirst(status.progress(), status.config().voters(), memberId));
        });
        return answer.thenApplyAsync(v -> v, completions);
    }

    /**
     * The voters other than {@code self}, the most up to date first: those the leader heard from in
     * the last check-quorum round before the others (a member that went away keeps its last match
     * index), then the highest match index first, so that the transfer needs the fewest entries sent
     * before the transferee can campaign; ties in id order.
     */
    static List<Long> mostUpToDateFirst(Map<Long, ProgressStatus> progress, Set<Long> voters, long self) {
        return voters.stream().filter(id -> id != self && progress.containsKey(id))
                .sorted(Comparator.comparing((Long id) -> !progress.get(id).recentActive())
                        .thenComparing(id -> progress.get(id).match(), Comparator.reverseOrder())
                        .thenComparing(id -> id))
                .toList();
    }

    /** The current voters and learners as Raft sees them (loop thread snapshot, may be slightly stale). */
    CompletableFuture<ConfState> configuration() {
        CompletableFuture<ConfState> answer = new CompletableFuture<>();
        submit(() -> answer.complete(raw.status().config()));
        return answer.thenApplyAsync(v -> v, completions);
    }

    /** Completes once the state machine has applied everything committed before this call (ReadIndex). */
    CompletableFuture<Void> readBarrier() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(stopped());
            return future;
        }
        CompletableFuture.delayedExecutor(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> future.completeExceptionally(new CairnException(ErrorCode.TIMEOUT)));
        submit(() -> readsWaitingForIndex.add(future));
        return future.thenApplyAsync(v -> v, completions);
    }

    /** Completes when this member has first seen a leader and applied what was committed before it. */
    CompletableFuture<Void> firstLeader() {
        return firstLeader;
    }

    /**
     * etcd's rule: once {@code count} entries were applied since the last snapshot, take one (here:
     * flush the state machine, the snapshot of this member) and compact the log up to the applied
     * index less {@code catchUp} entries, kept for followers that lag a little.
     */
    void snapshotEvery(long count, long catchUp) {
        if (count <= 0 || catchUp < 0) {
            throw new IllegalArgumentException("count must be positive and catchUp not negative, got " + count + ", " + catchUp);
        }
        this.snapshotCount = count;
        this.catchUpEntries = catchUp;
    }

    long memberId() { return memberId; }
    long term() { return term; }
    long leader() { return leader; }
    long appliedIndex() { return appliedIndex; }
    long lastIndex() { return lastIndex; }
    boolean isLeader() { return leader == memberId; }
    /** Readies handled since start (each persisted in at most one batch). */
    long readies() { return readies.get(); }
    long appliedProposals() { return appliedProposals.get(); }
    /** Proposals (and membership changes) waiting to be applied or to fail. */
    int pendingProposals() { return pending.size(); }
    RaftStats stats() { return stats; }
    BackendRaftStorage raftLog() { return log; }

    private void submit(Runnable task) {
        tasks.add(task);
    }

    private CairnException stopped() {
        return new CairnException(ErrorCode.STOPPED, failure);
    }

    // ---- the loop -----------------------------------------------------------------------------

    private void loop() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        long nextTick = System.nanoTime() + tickNanos;
        try {
            replay.started();
            if (raw.status().config().voters().equals(java.util.Set.of(memberId)) && raw.status().config().learners().isEmpty()) {
                raw.campaign(); // alone: no need to wait an election timeout
            }
            while (running) {
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    raw.tick();
                    ticks++;
                    nextTick += tickNanos;
                    if (now - nextTick > 10 * tickNanos) {
                        nextTick = now + tickNanos; // paused far too long: do not burst ticks
                    }
                    onTick(now);
                }
                Runnable task = tasks.poll(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS);
                // Group commit: everything queued now goes into the same Ready.
                while (task != null) {
                    task.run();
                    task = tasks.poll();
                }
                issueReadIndex();
                while (raw.hasReady()) {
                    handle(raw.ready());
                }
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
            System.getLogger(RaftNode.class.getName()).log(System.Logger.Level.ERROR, "Cairn node stopped by an error", t);
        } finally {
            failAll();
        }
    }

    private void handle(Ready rd) {
        readies.incrementAndGet();
        if (rd.softState() != null) {
            onSoftState(rd.softState());
        }
        if (rd.snapshot() != null && !rd.snapshot().isEmpty()) {
            // The state first, then the log: a crash between leaves a state machine ahead of the log
            // (entries it holds are skipped at replay), never a log whose prefix nobody has.
            installer.install(rd.snapshot().metadata().index());
            appliedIndex = rd.snapshot().metadata().index();
            snapshotIndex = appliedIndex;
        }
        // 1. persist: one batch (synced if needed) for the whole Ready
        if (rd.mustSync()) {
            long saveStart = System.nanoTime();
            log.save(rd);
            stats.walFsync(System.nanoTime() - saveStart);
        } else {
            log.save(rd);
        }
        lastIndex = log.lastIndex();
        if (rd.hardState() != null) {
            term = rd.hardState().term();
        }
        // 2. send (only after 1 is durable)
        if (!rd.messages().isEmpty()) { // a lone member's Readies carry none
            peers.send(withFreshSnapshots(rd.messages()));
            stats.sent(rd.messages(), System.nanoTime());
        }
        // 3. apply
        for (Entry e : rd.committedEntries()) {
            apply(e);
        }
        handOverAnswers();
        replay.applied(appliedIndex);
        for (ReadState rs : rd.readStates()) {
            if (readInFlight != null && java.util.Arrays.equals(rs.requestContext(), readInFlight.context())) {
                readInFlight.index()[0] = rs.index();
                readsWaitingForApply.add(readInFlight);
                readInFlight = null;
            }
        }
        // 5. advance
        raw.advance(rd);
        // 4. serve the reads the applied index now covers
        serveReads();
        if (!firstLeader.isDone() && leader != 0 && appliedIndex >= log.hardState().commit()) {
            firstLeader.complete(null);
        }
        maybeSnapshot();
        if (removedAtTick < 0 && members != null && members.isRemoved(memberId)) {
            removedAtTick = ticks;
        }
    }

    /**
     * A snapshot message whose configuration does not list its recipient (a member added after the
     * last snapshot) would be refused by it: take a fresh snapshot at the applied index instead.
     */
    private List<Message> withFreshSnapshots(List<Message> messages) {
        List<Message> out = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.type() != MessageType.SNAP) {
                continue;
            }
            ConfState cs = m.snapshot().metadata().confState();
            if (cs.voters().contains(m.to()) || cs.learners().contains(m.to()) || cs.votersOutgoing().contains(m.to())
                    || cs.learnersNext().contains(m.to())) {
                continue;
            }
            if (appliedIndex > log.snapshot().metadata().index() && appliedIndex <= log.lastIndex()) {
                flushState();
                log.compact(appliedIndex);
                snapshotIndex = appliedIndex;
            }
            Snapshot fresh = log.snapshot();
            if (out == null) {
                out = new ArrayList<>(messages);
            }
            out.set(i, m.toBuilder().snapshot(fresh).build());
        }
        return out == null ? messages : out;
    }

    private void onSoftState(SoftState ss) {
        long previous = leader;
        leader = ss.leader();
        stats.leaderChanged(previous, leader);
        for (Iterator<LeadershipWaiter> it = leadershipWaiters.iterator(); it.hasNext(); ) {
            LeadershipWaiter w = it.next();
            if (leader == w.expected()) {
                it.remove();
                completions.execute(() -> w.done().complete(null));
            }
        }
        if (ss.role() == StateRole.LEADER && !lessor.isPrimary()) {
            // etcd extends every lease by an election timeout when a leader takes over
            lessor.promote(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos((long) TICK_MILLIS * ELECTION_TICKS));
        } else if (ss.role() != StateRole.LEADER && lessor.isPrimary()) {
            lessor.demote();
            revokingSince.clear();
        }
        if (previous == 0 && leader != 0 && !heldProposals.isEmpty()) {
            List<Runnable> held = new ArrayList<>(heldProposals);
            heldProposals.clear();
            held.forEach(Runnable::run);
        }
    }

    private void proposeOnLoop(byte[] data, long requestId) {
        if (leader == 0) {
            // no leader yet: wait for one (the request's timeout bounds it)
            heldProposals.add(() -> proposeOnLoop(data, requestId));
            return;
        }
        try {
            raw.propose(data);
            if (requestId != 0) {
                proposedInTerm.put(requestId, raw.term());
            }
        } catch (ProposalDroppedException e) {
            failProposal(requestId, e);
        }
    }

    private void proposeConfChangeOnLoop(ConfChange cc, long requestId) {
        if (leader == 0) {
            heldProposals.add(() -> proposeConfChangeOnLoop(cc, requestId));
            return;
        }
        try {
            raw.proposeConfChange(cc);
            proposedInTerm.put(requestId, raw.term());
        } catch (ProposalDroppedException e) {
            failProposal(requestId, e);
        }
    }

    private void failProposal(long requestId, ProposalDroppedException e) {
        if (requestId == 0) {
            return;
        }
        CompletableFuture<Object> future = pending.remove(requestId);
        if (future == null) {
            return;
        }
        stats.proposalFailed();
        CairnException error = switch (e.reason()) {
            case NO_LEADER -> new CairnException(ErrorCode.NO_LEADER, e);
            case LEADER_TRANSFER_IN_PROGRESS, NOT_A_MEMBER -> new CairnException(ErrorCode.LEADER_CHANGED, e);
            case CONF_CHANGE_REJECTED -> new CairnException(StatusCode.FAILED_PRECONDITION,
                    "etcdserver: re-configuration failed: " + e.getMessage(), e);
            default -> new CairnException(ErrorCode.NOT_LEADER.status(), "etcdserver: " + e.getMessage(), e);
        };
        completions.execute(() -> future.completeExceptionally(error));
    }

    /**
     * A new leader's empty entry of {@code term} is applied: a proposal handed to Raft in an earlier
     * term and not applied yet was dropped with the old leader (had it been kept, it would sit before
     * this entry and would have been applied first). Fail it now, as etcd's "leader changed", instead
     * of after the request timeout.
     */
    private void failProposalsOfEarlierTerms(long term) {
        for (Iterator<Map.Entry<Long, Long>> it = proposedInTerm.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() < term) {
                it.remove();
                CompletableFuture<Object> future = pending.remove(e.getKey());
                if (future != null) {
                    stats.proposalFailed();
                    completions.execute(() -> future.completeExceptionally(new CairnException(ErrorCode.LEADER_CHANGED)));
                }
            } else if (!pending.containsKey(e.getKey())) {
                it.remove();
            }
        }
    }

    private void onTick(long now) {
        if (removedAtTick >= 0 && ticks - removedAtTick > 2L * ELECTION_TICKS) {
            // Removed: stop once the remaining voters have had time to learn the removal is committed
            // (heartbeats carry the commit index), so none of them depends on this member any more.
            failure = new CairnException(StatusCode.FAILED_PRECONDITION, REMOVED_MESSAGE);
            running = false;
            return;
        }
        for (Iterator<LeadershipWaiter> it = leadershipWaiters.iterator(); it.hasNext(); ) {
            LeadershipWaiter w = it.next();
            if (ticks - w.sinceTick() > 3L * ELECTION_TICKS) {
                it.remove();
                completions.execute(() -> w.done().completeExceptionally(new CairnException(StatusCode.UNAVAILABLE,
                        "etcdserver: request timed out, leader transfer took too long")));
            }
        }
        // Expiry: decided by the leader's clock, applied through the log as revokes.
        if (lessor.isPrimary() && leader == memberId) {
            revokingSince.values().removeIf(since -> ticks - since > 3L * ELECTION_TICKS);
            for (long id : lessor.expired(now, EXPIRED_LEASES_PER_TICK)) {
                if (revokingSince.putIfAbsent(id, ticks) == null) {
                    proposeOnLoop(RequestCodec.encode(0, new LeaseRevokeRequest(id)), 0);
                }
            }
        }
        // A ReadIndex that got no answer (leadership changed, message lost) is asked again.
        if (readInFlight != null && ticks - readInFlight.issuedAtTick() > ELECTION_TICKS) {
            readsWaitingForIndex.addAll(readInFlight.waiters());
            readInFlight = null;
        }
    }

    private void issueReadIndex() {
        readsWaitingForIndex.removeIf(CompletableFuture::isDone);
        if (readInFlight != null || readsWaitingForIndex.isEmpty() || leader == 0) {
            return;
        }
        byte[] context = ByteBuffer.allocate(8).putLong(++readContextCounter).array();
        ReadBatch batch = new ReadBatch(context, new ArrayList<>(readsWaitingForIndex), ticks, new long[1]);
        try {
            raw.readIndex(context);
        } catch (ProposalDroppedException e) {
            return; // no leader now: retried once there is one
        }
        readsWaitingForIndex.clear();
        readInFlight = batch;
    }

    private void serveReads() {
        while (!readsWaitingForApply.isEmpty() && readsWaitingForApply.peekFirst().index()[0] <= appliedIndex) {
            for (CompletableFuture<Void> waiter : readsWaitingForApply.pollFirst().waiters()) {
                waiter.complete(null);
            }
        }
    }

    /** The state backend's durable commit of what was applied, timed for etcd's backend commit histogram. */
    private void flushState() {
        long start = System.nanoTime();
        stateBackend.flush();
        stats.backendCommit(System.nanoTime() - start);
    }

    private void maybeSnapshot() {
        long applied = appliedIndex;
        if (applied - snapshotIndex <= snapshotCount) {
            return;
        }
        snapshotIndex = applied;
        long compactTo = applied - catchUpEntries;
        if (compactTo >= log.firstIndex()) {
            // The state machine writes unsynced; make what it applied durable before the log forgets it.
            flushState();
            log.compact(compactTo);
        }
    }

    // ---- apply --------------------------------------------------------------------------------

    private void apply(Entry e) {
        long index = e.index();
        if (e.type() == EntryType.CONF_CHANGE) {
            applyConfChange(index, RaftCodec.decodeConfChange(e.data()));
        } else if (e.data().length == 0) {
            failProposalsOfEarlierTerms(e.term());
            if (index > store.consistentIndex()) {
                store.recordApplied(index); // a new leader's empty entry
            }
        } else if (index <= store.consistentIndex()) {
            // replay after a restart: the state machine already has this entry
        } else {
            applyRequest(index, RequestCodec.decode(e.data()));
        }
        appliedIndex = index;
    }

    /**
     * A committed membership change: Raft's configuration, then the member table (in the batch that
     * records the applied index). Re-adding a removed id is refused here, deterministically on every
     * member (etcd's ErrIDRemoved), and Raft does not apply it. At replay (index at or below the
     * state machine's) only Raft's side is redone: the table already holds the effect.
     */
    private void applyConfChange(long index, ConfChange cc) {
        ByteBuffer context = ByteBuffer.wrap(cc.context());
        long requestId = context.remaining() >= 8 ? context.getLong() : 0;
        byte[] record = new byte[context.remaining()];
        context.get(record);
        ConfChangeSingle single = cc.changes().isEmpty() ? null : cc.changes().get(0);
        boolean refused = single != null && single.type() != ConfChangeType.REMOVE && members != null
                && members.isRemoved(single.nodeId());
        if (!refused) {
            ConfState cs = raw.applyConfChange(cc);
            log.saveConfState(cs);
        }
        if (index > store.consistentIndex()) {
            MemberTable.Change change = refused || single == null || members == null ? null
                    : memberChange(single, record);
            store.recordApplied(index, change == null ? null : change::write);
            if (change != null) {
                change.commit();
            }
        }
        appliedProposals.incrementAndGet();
        CompletableFuture<Object> future = requestId == 0 ? null : pending.remove(requestId);
        proposedInTerm.remove(requestId);
        if (future != null) {
            appliedAnswers.add(() -> {
                if (refused) {
                    future.completeExceptionally(new CairnException(StatusCode.FAILED_PRECONDITION, "membership: ID removed"));
                } else {
                    future.complete(Boolean.TRUE);
                }
            });
        }
    }

    private MemberTable.Change memberChange(ConfChangeSingle single, byte[] record) {
        Member existing = members.member(single.nodeId());
        return switch (single.type()) {
            case REMOVE -> existing == null ? null : members.remove(single.nodeId());
            case ADD_VOTER, ADD_LEARNER -> {
                boolean learner = single.type() == ConfChangeType.ADD_LEARNER;
                if (record.length > 0) {
                    Member added = MemberTable.decodeMember(record);
                    yield members.put(new Member(single.nodeId(), existing == null ? added.name() : existing.name(),
                            added.peerUrls(), existing == null ? added.clientUrls() : existing.clientUrls(), learner));
                }
                // a promotion (or a bootstrap entry of a member the table already has)
                yield existing == null || existing.learner() == learner ? null
                        : members.put(new Member(existing.id(), existing.name(), existing.peerUrls(),
                                existing.clientUrls(), learner));
            }
        };
    }

    private void applyRequest(long index, RequestCodec.LogRequest logRequest) {
        Object response;
        CairnException error = null;
        try {
            AlarmTable alarmTable = alarms;
            Object request = logRequest.request();
            Object unguarded = request instanceof RequestCodec.Guarded guarded ? guarded.request() : request;
            if (alarmTable != null && alarmTable.isRaised(AlarmType.NOSPACE) && cappedByNoSpace(unguarded)) {
                // etcd's capped applier (outside its auth applier): with NOSPACE raised, nothing that takes space is applied
                store.recordApplied(index);
                throw new CairnException(ErrorCode.NO_SPACE);
            }
            response = applyOne(index, logRequest.request());
        } catch (CairnException rejected) {
            // etcd's rejections are deterministic: the entry still counts as applied (the store recorded it)
            response = null;
            error = rejected;
        }
        appliedProposals.incrementAndGet();
        proposedInTerm.remove(logRequest.requestId());
        CompletableFuture<Object> future = logRequest.requestId() == 0 ? null : pending.remove(logRequest.requestId());
        if (future != null) {
            Object answer = response;
            CairnException failed = error;
            appliedAnswers.add(() -> {
                if (failed != null) {
                    future.completeExceptionally(failed);
                } else {
                    future.complete(answer);
                }
            });
        }
    }

    /**
     * Hands the answers of the entries just applied to {@link #completions}: a few tasks per Ready
     * rather than one per request (each a queue hand-off and often a thread wake-up), split so that
     * every completion thread can take a share.
     */
    private void handOverAnswers() {
        int count = appliedAnswers.size();
        for (int from = 0; from < count; from += COMPLETIONS_PER_TASK) {
            Runnable[] share = appliedAnswers.subList(from, Math.min(count, from + COMPLETIONS_PER_TASK))
                    .toArray(new Runnable[0]);
            completions.execute(() -> {
                for (Runnable answer : share) {
                    answer.run();
                }
            });
        }
        appliedAnswers.clear();
    }

    private Object applyOne(long index, Object request) {
        return switch (request) {
                case RequestCodec.Guarded guarded -> {
                    io.cairn.server.auth.AuthState auth = authStore().state();
                    if (auth.enabled() && guarded.authRevision() < auth.revision()) {
                        // the auth store changed after the proposer checked the caller's permission
                        store.recordApplied(index);
                        throw new CairnException(ErrorCode.AUTH_OLD_REVISION);
                    }
                    yield applyOne(index, guarded.request());
                }
                case io.cairn.server.auth.AuthChange.SimpleToken token -> {
                    store.recordApplied(index);
                    authStore().recordToken(token);
                    yield Boolean.TRUE;
                }
                case AlarmRequest alarm -> applyAlarm(index, alarm);
                case io.cairn.server.auth.AuthChange change -> {
                    io.cairn.server.auth.AuthStore auth = authStore();
                    io.cairn.server.auth.AuthState next;
                    try {
                        next = auth.state().apply(change);
                    } catch (CairnException refused) {
                        store.recordApplied(index);
                        throw refused;
                    }
                    if (next == auth.state()) {
                        store.recordApplied(index); // etcd's no-ops: enabling twice, granting a role twice
                    } else {
                        store.recordApplied(index, batch -> io.cairn.server.auth.AuthStore.write(batch, next));
                        auth.commit(change, next);
                    }
                    yield Boolean.TRUE;
                }
                case PutRequest put -> events(store.applyPut(index, put));
                case DeleteRangeRequest delete -> events(store.applyDeleteRange(index, delete));
                case TxnRequest txn -> events(store.applyTxn(index, txn));
                case CompactionRequest compaction -> {
                    WriteResult<?> result = store.applyCompaction(index, compaction.revision());
                    listener.onCompacted(compaction.revision());
                    yield result.response();
                }
                case LeaseGrantRequest grant -> lessor.applyGrant(store, index, grant).response();
                case LeaseRevokeRequest revoke -> {
                    revokingSince.remove(revoke.id());
                    yield events(lessor.applyRevoke(store, index, revoke.id()));
                }
                case RequestCodec.LeaseCheckpoint checkpoint -> {
                    lessor.applyCheckpoint(store, index, checkpoint.id(), checkpoint.remainingTtlSeconds());
                    yield Boolean.TRUE;
                }
                case RequestCodec.MemberAttributes attributes -> applyMemberChange(index, attributes.id(),
                        m -> new Member(m.id(), attributes.name(), attributes.peerUrls(), attributes.clientUrls(), m.learner()));
                case RequestCodec.MemberPeerUpdate update -> applyMemberChange(index, update.id(),
                        m -> new Member(m.id(), m.name(), update.peerUrls(), m.clientUrls(), m.learner()));
                default -> throw new IllegalStateException("entry " + index + " holds an unknown request "
                        + request.getClass().getName());
            };
    }

    private volatile io.cairn.server.auth.AuthStore authStore;

    /** Sets the auth store the apply changes (before the loop starts). */
    void authStore(io.cairn.server.auth.AuthStore auth) {
        this.authStore = auth;
    }

    private io.cairn.server.auth.AuthStore authStore() {
        io.cairn.server.auth.AuthStore auth = authStore;
        if (auth == null) {
            throw new IllegalStateException("an auth entry, but this node has no auth store");
        }
        return auth;
    }

    /** Put, a transaction with a put anywhere in it, lease grant: what etcd refuses while NOSPACE is raised. */
    static boolean cappedByNoSpace(Object request) {
        return switch (request) {
            case PutRequest put -> true;
            case LeaseGrantRequest grant -> true;
            case TxnRequest txn -> hasPut(txn);
            default -> false;
        };
    }

    private static boolean hasPut(TxnRequest txn) {
        for (List<io.cairn.api.kv.RequestOp> ops : List.of(txn.success(), txn.failure())) {
            for (io.cairn.api.kv.RequestOp op : ops) {
                if (op instanceof PutRequest || (op instanceof TxnRequest nested && hasPut(nested))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Raises, disarms or lists alarms; answers the alarms the request concerned (etcd's AlarmResponse.alarms). */
    private Object applyAlarm(long index, AlarmRequest request) {
        AlarmTable table = alarms;
        if (table == null || request.action() == AlarmRequest.Action.GET) {
            store.recordApplied(index);
            return table == null ? List.of() : table.list(request.alarm());
        }
        AlarmMember target = new AlarmMember(request.memberId(), request.alarm());
        List<AlarmMember> activated = new ArrayList<>();
        List<AlarmMember> deactivated = new ArrayList<>();
        store.recordApplied(index, batch -> {
            if (request.action() == AlarmRequest.Action.ACTIVATE) {
                AlarmMember raised = table.activate(target, batch);
                if (raised != null) {
                    activated.add(raised);
                }
            } else {
                deactivated.addAll(table.deactivate(target, batch));
            }
        });
        table.commit(activated, deactivated);
        return request.action() == AlarmRequest.Action.ACTIVATE ? List.copyOf(activated) : List.copyOf(deactivated);
    }

    /** Changes a present member's record; a member not (or no longer) in the table: etcd's "member not found". */
    private Object applyMemberChange(long index, long id, java.util.function.UnaryOperator<Member> update) {
        Member existing = members == null ? null : members.member(id);
        if (existing == null) {
            store.recordApplied(index);
            throw new CairnException(ErrorCode.MEMBER_NOT_FOUND);
        }
        MemberTable.Change change = members.put(update.apply(existing));
        store.recordApplied(index, change::write);
        change.commit();
        return Boolean.TRUE;
    }

    private Object events(WriteResult<?> result) {
        if (!result.events().isEmpty()) {
            listener.onApplied(result.revision(), result.events());
        }
        return result.response();
    }

    // ---- stopping -----------------------------------------------------------------------------

    private void failAll() {
        running = false;
        handOverAnswers(); // entries applied before a failure keep their answers
        CairnException stopped = stopped();
        for (Iterator<Proposal> it = pending.values().iterator(); it.hasNext(); ) {
            CompletableFuture<Object> future = it.next();
            it.remove();
            completions.execute(() -> future.completeExceptionally(stopped));
        }
        List<CompletableFuture<Void>> reads = new ArrayList<>(readsWaitingForIndex);
        if (readInFlight != null) {
            reads.addAll(readInFlight.waiters());
        }
        readsWaitingForApply.forEach(batch -> reads.addAll(batch.waiters()));
        reads.forEach(read -> read.completeExceptionally(stopped));
        Runnable task;
        while ((task = tasks.poll()) != null) {
            // proposals queued after the last pass: their futures were failed above
        }
        firstLeader.completeExceptionally(stopped);
    }

    /** The error that stopped the node, or null while it runs (or after a clean close). */
    Throwable failure() {
        return failure;
    }

    /** Stops the loop after the pass in progress; pending requests fail with {@link ErrorCode#STOPPED}. */
    @Override
    public void close() {
        running = false;
        tasks.add(() -> {});
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
