package io.cairn.server;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.ProposalDroppedException;
import io.cairn.raft.RaftCodec;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RawNode;
import io.cairn.raft.ReadState;
import io.cairn.raft.Ready;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /** Entries kept in the log behind the applied index after a compaction of the log's prefix. */
    static final long LOG_KEEP_ENTRIES = 5_000;
    static final long LOG_COMPACT_THRESHOLD = 20_000;
    /** Lease revokes proposed per tick at most (etcd paces expiry too). */
    static final int EXPIRED_LEASES_PER_TICK = 64;

    /** The seam for peers (the cluster issue): sends messages after the Ready's persistence. */
    interface PeerSender {
        /** One member, no peers: every message would be for a peer that does not exist. */
        PeerSender NONE = messages -> {};

        void send(List<Message> messages);
    }

    private final long memberId;
    private final BackendRaftStorage log;
    private final Backend stateBackend;
    private final MvccStore store;
    private final Lessor lessor;
    private final ApplyListener listener;
    private final PeerSender peers;
    private final Executor completions;
    private final RawNode raw;
    private final int maxRequestBytes;

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    // Published for status and headers.
    private volatile long term;
    private volatile long leader;
    private volatile long appliedIndex;
    private volatile long lastIndex;
    private final AtomicLong readies = new AtomicLong();
    private final AtomicLong appliedProposals = new AtomicLong();
    private final CompletableFuture<Void> firstLeader = new CompletableFuture<>();

    // Loop-thread state.
    private final List<byte[]> heldProposals = new ArrayList<>();
    private final List<CompletableFuture<Void>> readsWaitingForIndex = new ArrayList<>();
    private ReadBatch readInFlight;
    private final ArrayDeque<ReadBatch> readsWaitingForApply = new ArrayDeque<>();
    private long readContextCounter;
    private final Map<Long, Long> revokingSince = new HashMap<>();
    private long ticks;
    // Log compaction policy; volatile so tests may tighten it from another thread.
    private volatile long logCompactThreshold = LOG_COMPACT_THRESHOLD;
    private volatile long logKeepEntries = LOG_KEEP_ENTRIES;

    private record ReadBatch(byte[] context, List<CompletableFuture<Void>> waiters, long issuedAtTick, long[] index) {}

    RaftNode(long memberId, BackendRaftStorage log, Backend stateBackend, MvccStore store, Lessor lessor,
             ApplyListener listener, PeerSender peers, Executor completions, int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
        this.memberId = memberId;
        this.log = log;
        this.stateBackend = stateBackend;
        this.store = store;
        this.lessor = lessor;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.peers = Objects.requireNonNull(peers, "peers");
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
        if (fresh) {
            // etcd's --initial-cluster-state new, with this member as the whole initial cluster.
            raw.bootstrap(List.of(memberId));
        }
        this.appliedIndex = Math.max(applied, snapshotIndex);
        this.lastIndex = log.lastIndex();
        this.term = log.hardState().term();
        this.thread = Thread.ofPlatform().name("cairn-raft-" + Long.toHexString(memberId)).daemon(true)
                .unstarted(this::loop);
    }

    void start() {
        thread.start();
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
        CompletableFuture<Object> future = new CompletableFuture<>();
        if (data.length > maxRequestBytes) {
            future.completeExceptionally(new CairnException(ErrorCode.REQUEST_TOO_LARGE));
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        if (!running) {
            future.completeExceptionally(stopped());
            return (CompletableFuture<R>) (CompletableFuture<?>) future;
        }
        pending.put(id, future);
        CompletableFuture.delayedExecutor(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (pending.remove(id, future)) {
                future.completeExceptionally(new CairnException(ErrorCode.TIMEOUT));
            }
        });
        submit(() -> proposeOnLoop(data, id));
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
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

    /** Compacts the log's prefix once more than {@code threshold} applied entries are held, keeping {@code keep}. */
    void compactLogEvery(long threshold, long keep) {
        if (threshold <= 0 || keep < 0) {
            throw new IllegalArgumentException("threshold must be positive and keep not negative, got " + threshold + ", " + keep);
        }
        this.logCompactThreshold = threshold;
        this.logKeepEntries = keep;
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
            if (raw.status().config().voters().equals(java.util.Set.of(memberId))) {
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
        // 1. persist: one batch (synced if needed) for the whole Ready
        log.save(rd);
        lastIndex = log.lastIndex();
        if (rd.hardState() != null) {
            term = rd.hardState().term();
        }
        // 2. send (only after 1 is durable)
        peers.send(rd.messages());
        // 3. apply
        for (Entry e : rd.committedEntries()) {
            apply(e);
        }
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
        maybeCompactLog();
    }

    private void onSoftState(SoftState ss) {
        long previous = leader;
        leader = ss.leader();
        if (ss.role() == StateRole.LEADER && !lessor.isPrimary()) {
            // etcd extends every lease by an election timeout when a leader takes over
            lessor.promote(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos((long) TICK_MILLIS * ELECTION_TICKS));
        } else if (ss.role() != StateRole.LEADER && lessor.isPrimary()) {
            lessor.demote();
            revokingSince.clear();
        }
        if (previous == 0 && leader != 0 && !heldProposals.isEmpty()) {
            List<byte[]> held = new ArrayList<>(heldProposals);
            heldProposals.clear();
            for (byte[] data : held) {
                proposeOnLoop(data, 0);
            }
        }
    }

    private void proposeOnLoop(byte[] data, long requestId) {
        if (leader == 0) {
            heldProposals.add(data); // no leader yet: wait for one (the request's timeout bounds it)
            return;
        }
        try {
            raw.propose(data);
        } catch (ProposalDroppedException e) {
            if (requestId != 0) {
                CompletableFuture<Object> future = pending.remove(requestId);
                if (future != null) {
                    completions.execute(() -> future.completeExceptionally(
                            new CairnException(ErrorCode.NOT_LEADER.status(), "etcdserver: " + e.getMessage(), e)));
                }
            }
        }
    }

    private void onTick(long now) {
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

    private void maybeCompactLog() {
        long applied = appliedIndex;
        long keep = logKeepEntries;
        if (applied - log.firstIndex() > logCompactThreshold && applied - keep >= log.firstIndex()) {
            // The state machine writes unsynced; make what it applied durable before the log forgets it.
            stateBackend.flush();
            log.compact(applied - keep);
        }
    }

    // ---- apply --------------------------------------------------------------------------------

    private void apply(Entry e) {
        long index = e.index();
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfState cs = raw.applyConfChange(RaftCodec.decodeConfChange(e.data()));
            log.saveConfState(cs);
            if (index > store.consistentIndex()) {
                store.recordApplied(index);
            }
        } else if (index <= store.consistentIndex()) {
            // replay after a restart: the state machine already has this entry
        } else if (e.data().length == 0) {
            store.recordApplied(index); // a new leader's empty entry
        } else {
            applyRequest(index, RequestCodec.decode(e.data()));
        }
        appliedIndex = index;
    }

    private void applyRequest(long index, RequestCodec.LogRequest logRequest) {
        Object response;
        CairnException error = null;
        try {
            response = switch (logRequest.request()) {
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
                default -> throw new IllegalStateException("entry " + index + " holds an unknown request "
                        + logRequest.request().getClass().getName());
            };
        } catch (CairnException rejected) {
            // etcd's rejections are deterministic: the entry still counts as applied (the store recorded it)
            response = null;
            error = rejected;
        }
        appliedProposals.incrementAndGet();
        CompletableFuture<Object> future = logRequest.requestId() == 0 ? null : pending.remove(logRequest.requestId());
        if (future != null) {
            Object answer = response;
            CairnException failed = error;
            completions.execute(() -> {
                if (failed != null) {
                    future.completeExceptionally(failed);
                } else {
                    future.complete(answer);
                }
            });
        }
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
        CairnException stopped = stopped();
        for (Iterator<CompletableFuture<Object>> it = pending.values().iterator(); it.hasNext(); ) {
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
