package io.cairn.raft;

import java.util.List;
import java.util.Objects;

/**
 * One Raft node, driven by its caller: the caller supplies time ({@link #tick()}), network input
 * ({@link #step}) and requests ({@link #propose} …), and carries out the node's output, collected
 * in {@link Ready}. Modelled on etcd-io/raft's {@code RawNode}.
 *
 * <p>The loop: call {@link #tick()} at a fixed interval; feed every received message to
 * {@link #step}; whenever {@link #hasReady()}, take {@link #ready()}, carry it out in the order
 * documented on {@link Ready}, then call {@link #advance(Ready)}. Exactly one Ready may be
 * outstanding: {@code ready()} again before {@code advance} is an error.
 *
 * <p>Threading: not thread-safe. Every call must come from one thread at a time (the caller's
 * event loop); the node starts no threads, reads no clock and does no I/O. Randomness comes only
 * from {@link RaftConfig#random()}.
 *
 * <p>Failure: methods that refuse a request throw {@link ProposalDroppedException} (the node's
 * state is unchanged). An exception from the {@link RaftStorage} other than the documented
 * {@link RaftStorageException} reasons, or an {@link IllegalStateException} reporting a broken
 * invariant, leaves the node unusable: discard it and restart from storage.
 */
public final class RawNode {
    private final Raft raft;
    private SoftState prevSoftState;
    private HardState prevHardState;
    /** The Ready handed out and not yet advanced, or null. */
    private Ready outstanding;

    /**
     * Starts a node on {@code storage}: restores term, vote, commit and configuration from
     * {@link RaftStorage#initialState()}. A brand-new cluster is started either with
     * {@link #bootstrap} on empty storage (the membership then lives in the log, so members added
     * later learn it by replaying it), or by giving every initial member a storage whose initial
     * configuration lists the voters ({@link MemoryRaftStorage#withVoters}; members added later
     * must then be sent a snapshot that lists them).
     *
     * @throws RaftException if the stored state is inconsistent (for example a commit index beyond the log)
     */
    public RawNode(RaftConfig config, RaftStorage storage) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(storage, "storage is null");
        this.raft = new Raft(config, storage);
        this.prevSoftState = raft.softState();
        this.prevHardState = raft.hardState();
    }

    /**
     * Bootstraps an initial member of a new cluster on empty storage: the voters are written to
     * the log as committed {@link EntryType#CONF_CHANGE} entries at indexes 1..n of term 1, and
     * applied at once. Call it on every initial member with the same voters, right after
     * construction. The next {@link Ready} carries the entries (persist them like any others) and
     * hands them back as committed entries; applying them again with {@link #applyConfChange} is
     * harmless (adding a present voter changes nothing). A node that joins later starts on empty
     * storage <em>without</em> bootstrapping and learns the membership from the log.
     *
     * @param voters the initial voters, at least one, ids {@code > 0}, no duplicates
     * @throws IllegalStateException if the storage is not empty (entries, hard state or configuration)
     * @throws IllegalArgumentException if {@code voters} is empty or holds an invalid or repeated id
     */
    public void bootstrap(java.util.Collection<Long> voters) {
        Objects.requireNonNull(voters, "voters is null");
        raft.bootstrap(voters);
    }

    /** This node's id. */
    public long id() {
        return raft.id;
    }

    /** This node's current term (as {@code status().hardState().term()}, without building a status). */
    public long term() {
        return raft.term;
    }

    /**
     * Advances logical time by one tick: followers and candidates count towards an election,
     * leaders towards a heartbeat and the check-quorum round.
     */
    public void tick() {
        raft.tick();
    }

    /** Starts an election now (pre-vote first if enabled), as if the election timeout had passed. */
    public void campaign() {
        raft.step(Message.builder(MessageType.HUP).from(raft.id).build());
    }

    /**
     * Feeds a message received from a peer.
     *
     * <p>A proposal or read index that a follower forwarded here and that cannot be served is
     * dropped silently (its origin learns nothing and retries on its own timeout): a network loop
     * need not handle {@link ProposalDroppedException}.
     *
     * <p>Messages from nodes outside the configuration, and stale or duplicate messages, are
     * ignored (the network may deliver anything late, twice or out of order).
     *
     * @throws IllegalArgumentException for a local message kind ({@link MessageType#isLocal()}),
     *     a message addressed to another node, a message without a term (only forwarded proposals,
     *     read indexes and transfer requests may have term 0), or an append whose entries do not
     *     follow its index consecutively; the node is unchanged
     */
    public void step(Message m) {
        Objects.requireNonNull(m, "message is null");
        if (m.type().isLocal()) {
            throw new IllegalArgumentException("cannot step a local message kind from the network: " + m);
        }
        if (m.to() != raft.id) {
            throw new IllegalArgumentException("message for node " + m.to() + " stepped into node " + raft.id + ": " + m);
        }
        if (m.term() == 0 && m.type() != MessageType.PROP && m.type() != MessageType.READ_INDEX
                && m.type() != MessageType.TRANSFER_LEADER) {
            // Term 0 means "local" to the engine; from the network it can only be a bug.
            throw new IllegalArgumentException("network message without a term: " + m);
        }
        if (m.type() == MessageType.APP) {
            // A malformed append would corrupt the log: refuse it before it reaches the engine.
            long expect = m.index() + 1;
            for (int i = 0; i < m.entries().size(); i++) {
                Entry e = m.entries().get(i);
                if (e.index() != expect++ || e.term() > m.term()) {
                    throw new IllegalArgumentException("append with entries that do not follow index " + m.index()
                            + " consecutively within term " + m.term() + ": " + m);
                }
            }
        }
        try {
            raft.step(m);
        } catch (ProposalDroppedException e) {
            if (m.type() != MessageType.PROP && m.type() != MessageType.READ_INDEX) {
                throw e;
            }
            // forwarded request: dropped (see Javadoc)
        }
    }

    /**
     * Proposes {@code data} to be appended to the log. On the leader it is appended (and sent with
     * the next {@link Ready}, batched with other proposals); on a follower it is forwarded to the
     * leader. Acceptance is not commitment: the entry may still be lost if leadership changes;
     * the application recognises its entries when they come back in {@link Ready#committedEntries()}.
     *
     * @param data the payload, handed over (not copied)
     * @throws ProposalDroppedException if there is no leader, forwarding is disabled, a leader
     *     transfer is in progress, or the uncommitted log is over its size limit
     */
    public void propose(byte[] data) {
        Objects.requireNonNull(data, "proposal data is null");
        raft.propose(List.of(Entry.normal(0, 0, data)));
    }

    /**
     * Proposes a membership change. Once its entry is committed, the application must call
     * {@link #applyConfChange} with it (decoded with {@link RaftCodec#decodeConfChange}).
     *
     * @throws ProposalDroppedException as {@link #propose}, and with
     *     {@link ProposalDroppedException.Reason#CONF_CHANGE_REJECTED} if another change is not yet
     *     applied, or the change does not fit the current configuration (entering a joint config
     *     while joint, leaving one while not joint)
     */
    public void proposeConfChange(ConfChange cc) {
        Objects.requireNonNull(cc, "conf change is null");
        Entry e = new Entry(0, 0, EntryType.CONF_CHANGE, RaftCodec.encodeConfChange(cc));
        raft.propose(List.of(e));
    }

    /**
     * Applies a committed membership change to this node's configuration and returns the new
     * configuration (to be stored with the next snapshot). Must be called for every committed
     * {@link EntryType#CONF_CHANGE} entry, in log order.
     *
     * @throws RaftException if the change is invalid for the current configuration (nothing changes then)
     */
    public ConfState applyConfChange(ConfChange cc) {
        Objects.requireNonNull(cc, "conf change is null");
        return raft.applyConfChange(cc);
    }

    /**
     * Requests a read index for a linearizable read: a {@link ReadState} with the same context
     * appears in a later {@link Ready#readStates()}. The context identifies the request and must
     * be unique among pending requests. A request may be lost without an answer (messages lost, or
     * leadership changed): the caller retries after a timeout.
     *
     * @throws ProposalDroppedException with {@code NO_LEADER} if this node knows no leader
     */
    public void readIndex(byte[] context) {
        Objects.requireNonNull(context, "read index context is null");
        raft.step(Message.builder(MessageType.READ_INDEX).from(raft.id).context(context).build());
    }

    /**
     * Asks the leader to hand leadership to {@code transferee} (thesis §3.10): the leader stops
     * taking proposals, brings the transferee up to date and sends it {@link MessageType#TIMEOUT_NOW}.
     * On a follower the request is forwarded to the leader. Advisory: it is ignored when there is
     * no leader, the transferee is a learner or unknown, or it is already leader; a transfer that
     * does not finish within an election timeout is abandoned.
     */
    public void transferLeader(long transferee) {
        raft.step(Message.builder(MessageType.TRANSFER_LEADER).from(transferee).to(raft.id).build());
    }

    /** Tells the leader that {@code peer} could not be reached, so it stops streaming appends to it. */
    public void reportUnreachable(long peer) {
        raft.step(Message.builder(MessageType.UNREACHABLE).from(peer).to(raft.id).build());
    }

    /** Tells the leader whether sending a snapshot to {@code peer} succeeded. */
    public void reportSnapshot(long peer, boolean succeeded) {
        raft.step(Message.builder(MessageType.SNAP_STATUS).from(peer).to(raft.id).reject(!succeeded).build());
    }

    /** Whether {@link #ready()} has anything to do. Never true while a Ready is outstanding. */
    public boolean hasReady() {
        if (outstanding != null) {
            return false;
        }
        raft.flushAppends();
        return !raft.softStateEquals(prevSoftState)
                || !raft.hardStateEquals(prevHardState)
                || raft.raftLog.pendingSnapshot() != null
                || !raft.raftLog.unstable.entries.isEmpty()
                || raft.raftLog.hasNextCommittedEntries()
                || !raft.msgs.isEmpty()
                || !raft.readStates.isEmpty();
    }

    /**
     * Takes the node's pending output. The caller must carry it out as {@link Ready} documents and
     * then call {@link #advance(Ready)} with it.
     *
     * @throws IllegalStateException if the previous Ready was not advanced yet
     */
    public Ready ready() {
        if (outstanding != null) {
            throw new IllegalStateException("ready() called again before advance() of the previous Ready");
        }
        raft.flushAppends();
        // The previous states again when unchanged: a Ready per message round allocates no more.
        SoftState ss = raft.softStateEquals(prevSoftState) ? prevSoftState : raft.softState();
        HardState hs = raft.hardStateEquals(prevHardState) ? prevHardState : raft.hardState();
        Snapshot snap = raft.raftLog.pendingSnapshot();
        List<Entry> entries = raft.raftLog.unstableEntries();
        boolean mustSync = !entries.isEmpty() || hs.term() != prevHardState.term() || hs.vote() != prevHardState.vote()
                || snap != null;
        Ready rd = new Ready(
                ss == prevSoftState ? null : ss,
                hs == prevHardState ? null : hs,
                FrozenList.own(raft.readStates.toArray(), raft.readStates.size()),
                entries,
                snap,
                raft.raftLog.nextCommittedEntries(),
                FrozenList.own(raft.msgs.toArray(), raft.msgs.size()),
                mustSync);
        raft.msgs.clear();
        raft.readStates.clear();
        prevSoftState = ss;
        prevHardState = hs;
        outstanding = rd;
        return rd;
    }

    /**
     * Tells the node that {@code rd} was carried out: its entries and snapshot are durable, its
     * messages sent, and its committed entries handed to the state machine (they count as
     * applied from now on).
     *
     * @throws IllegalArgumentException if {@code rd} is not the Ready last returned by {@link #ready()}
     */
    public void advance(Ready rd) {
        if (rd == null || rd != outstanding) {
            throw new IllegalArgumentException("advance() must be given the Ready last returned by ready()");
        }
        outstanding = null;
        if (!rd.committedEntries().isEmpty()) {
            raft.raftLog.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).index());
            raft.reduceUncommittedSize(rd.committedEntries());
        } else if (rd.snapshot() != null) {
            raft.raftLog.appliedTo(rd.snapshot().metadata().index());
        }
        if (!rd.entries().isEmpty()) {
            Entry last = rd.entries().get(rd.entries().size() - 1);
            raft.raftLog.stableTo(last.index(), last.term());
        }
        if (rd.snapshot() != null) {
            raft.raftLog.stableSnapTo(rd.snapshot().metadata().index());
        }
        maybeAutoLeaveJoint();
    }

    /**
     * A leader in a joint configuration with auto-leave proposes the leave once the entry that
     * entered it is applied.
     */
    private void maybeAutoLeaveJoint() {
        TrackerConfig cfg = raft.trk.config;
        if (raft.state == StateRole.LEADER && cfg.autoLeave() && cfg.voters().isJoint()
                && raft.raftLog.applied >= raft.pendingConfIndex) {
            try {
                proposeConfChange(ConfChange.leaveJoint());
            } catch (ProposalDroppedException e) {
                // e.g. during a leader transfer: retried after the next advance.
            }
        }
    }

    /** A snapshot of the node's state, for monitoring and tests. */
    public Status status() {
        return new Status(raft.id, raft.hardState(), raft.softState(), raft.raftLog.applied, raft.leadTransferee,
                raft.trk.confState(), raft.progressStatus());
    }

    /** Package-private access for tests in this package. */
    Raft raft() {
        return raft;
    }
}
