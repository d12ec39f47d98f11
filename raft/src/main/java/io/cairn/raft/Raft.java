package io.cairn.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The Raft state machine of one node. Single-threaded, no I/O: input through {@link #step} and
 * {@link #tick}, output in {@link #msgs}, {@link #readStates} and the {@link RaftLog}.
 *
 * <p>Role behaviour lives in {@link #stepLeader}, {@link #stepCandidate} and {@link #stepFollower},
 * chosen by {@link #state}; {@link #step} handles what is common (terms, votes).
 */
final class Raft {
    /** Context of a vote request that comes from a leader transfer: it may disrupt a live leader. */
    static final byte[] CAMPAIGN_TRANSFER = "CampaignTransfer".getBytes(StandardCharsets.US_ASCII);

    enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    final long id;
    long term;
    /** Voted for in {@link #term}; 0 for none. */
    long vote;
    final List<ReadState> readStates = new ArrayList<>();
    final RaftLog raftLog;
    final long maxMsgSize;
    final long maxUncommittedSize;
    final ProgressTracker trk;
    StateRole state = StateRole.FOLLOWER;
    /** Whether this node is a learner in the current configuration (never campaigns). */
    boolean isLearner;
    /** Outgoing messages, taken by {@link RawNode#ready()}. */
    final List<Message> msgs = new ArrayList<>();
    /** The leader this node follows (or itself); 0 for none. */
    long lead;
    /** Target of a leader transfer in progress; 0 for none. */
    long leadTransferee;
    /**
     * Only one conf change may be pending: the index of the newest one in the log (unapplied
     * if {@code > applied}).
     */
    long pendingConfIndex;
    /** Payload bytes of the leader's log tail that is not yet committed. */
    long uncommittedSize;
    ReadOnly readOnly;
    /** Read-index requests received before this leader committed an entry of its term. */
    final List<Message> pendingReadIndexMessages = new ArrayList<>();
    /**
     * Leader: ticks since the last check-quorum round. Others: ticks since the last valid message
     * from a leader (or vote granted).
     */
    int electionElapsed;
    /** Leader only: ticks since the last heartbeat. */
    int heartbeatElapsed;
    final boolean checkQuorum;
    final boolean preVote;
    final int heartbeatTimeout;
    final int electionTimeout;
    /** Drawn in {@code [electionTimeout, 2 * electionTimeout)} on every reset (Raft §5.2). */
    int randomizedElectionTimeout;
    final boolean disableProposalForwarding;
    private final RandomGenerator random;
    /** Leader: proposals were appended and not yet broadcast; flushed as one append per follower. */
    boolean appendsPending;

    Raft(RaftConfig c, RaftStorage storage) {
        this.id = c.id();
        this.raftLog = new RaftLog(storage, c.maxCommittedSizePerReady() == 0 ? c.maxSizePerMsg() : c.maxCommittedSizePerReady());
        this.maxMsgSize = c.maxSizePerMsg();
        this.maxUncommittedSize = c.maxUncommittedEntriesSize() == 0 ? Long.MAX_VALUE : c.maxUncommittedEntriesSize();
        this.trk = new ProgressTracker(c.maxInflightMsgs(), c.maxInflightBytes());
        this.electionTimeout = c.electionTick();
        this.heartbeatTimeout = c.heartbeatTick();
        this.checkQuorum = c.checkQuorum();
        this.preVote = c.preVote();
        this.readOnly = new ReadOnly(c.readOnlyOption());
        this.disableProposalForwarding = c.disableProposalForwarding();
        this.random = c.random();

        RaftStorage.InitialState init = storage.initialState();
        ConfChanger.Result restored = ConfChanger.restore(trk, raftLog.lastIndex(), init.confState());
        ConfState cs = switchToConfig(restored);
        if (!cs.equals(init.confState())) {
            throw new RaftException("restored configuration " + cs + " differs from the stored " + init.confState());
        }
        HardState hs = init.hardState();
        if (!hs.isEmpty()) {
            loadState(hs);
        }
        if (c.applied() > 0) {
            raftLog.appliedTo(c.applied());
        }
        becomeFollower(term, 0);
    }

    /** See {@link RawNode#bootstrap}. */
    void bootstrap(java.util.Collection<Long> voters) {
        if (raftLog.lastIndex() != 0 || !hardState().isEmpty() || !trk.confState().equals(ConfState.EMPTY)) {
            throw new IllegalStateException("node " + id + " can only bootstrap on empty storage; it has last index "
                    + raftLog.lastIndex() + ", " + hardState() + ", configuration " + trk.confState());
        }
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("bootstrap needs at least one voter");
        }
        java.util.TreeSet<Long> sorted = new java.util.TreeSet<>();
        for (Long v : voters) {
            if (v == null || v <= 0 || !sorted.add(v)) {
                throw new IllegalArgumentException("bootstrap voters must be distinct ids > 0, got " + voters);
            }
        }
        becomeFollower(1, 0);
        List<Entry> ents = new ArrayList<>();
        long index = 1;
        for (long v : sorted) {
            ents.add(new Entry(1, index++, EntryType.CONF_CHANGE, RaftCodec.encodeConfChange(ConfChange.addVoter(v))));
        }
        raftLog.append(ents);
        // The entries are committed by fiat: every initial member holds them from the start.
        raftLog.committed = ents.size();
        for (long v : sorted) {
            applyConfChange(ConfChange.addVoter(v));
        }
    }

    private void loadState(HardState hs) {
        if (hs.commit() < raftLog.committed || hs.commit() > raftLog.lastIndex()) {
            throw new RaftException("stored commit " + hs.commit() + " is out of range [" + raftLog.committed + ", "
                    + raftLog.lastIndex() + "]");
        }
        raftLog.committed = hs.commit();
        term = hs.term();
        vote = hs.vote();
    }

    HardState hardState() {
        return new HardState(term, vote, raftLog.committed);
    }

    SoftState softState() {
        return new SoftState(lead, state);
    }

    /** {@code softState().equals(s)} without building one (asked on every {@link RawNode#hasReady}). */
    boolean softStateEquals(SoftState s) {
        return s.leader() == lead && s.role() == state;
    }

    /** {@code hardState().equals(h)} without building one. */
    boolean hardStateEquals(HardState h) {
        return h.term() == term && h.vote() == vote && h.commit() == raftLog.committed;
    }

    // ---------------------------------------------------------------- sending

    private Message.Builder msg(MessageType type, long to) {
        return Message.builder(type).from(id).to(to).term(term);
    }

    private void send(Message m) {
        // A forwarded leadership transfer or read index keeps its original sender, who gets the answer.
        if (m.from() != id && m.type() != MessageType.TRANSFER_LEADER && m.type() != MessageType.READ_INDEX) {
            throw new IllegalStateException("message from " + m.from() + " sent by " + id);
        }
        switch (m.type()) {
            case VOTE, VOTE_RESP, PRE_VOTE, PRE_VOTE_RESP -> {
                // Vote messages carry the term they are about (the next term for a pre-vote).
                if (m.term() == 0) {
                    throw new IllegalStateException("vote message without a term: " + m);
                }
            }
            case PROP, READ_INDEX -> {
                // Forwarded requests carry no term: they are not tied to one.
            }
            default -> {
                if (m.term() != term) {
                    throw new IllegalStateException("message with term " + m.term() + " sent at term " + term + ": " + m);
                }
            }
        }
        msgs.add(m);
    }

    /** Sends an append (or a snapshot) to {@code to} if it is not paused. */
    void sendAppend(long to) {
        maybeSendAppend(to, true);
    }

    /**
     * Sends what {@code to} needs next: an append from {@code next}, or the snapshot if those
     * entries are compacted. With {@code sendIfEmpty} false, sends nothing when there are no new
     * entries. Returns whether a message was sent.
     */
    boolean maybeSendAppend(long to, boolean sendIfEmpty) {
        Progress pr = trk.progress.get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm;
        List<Entry> ents;
        try {
            prevTerm = raftLog.term(prevIndex);
            ents = raftLog.entries(pr.next, maxMsgSize);
        } catch (RaftStorageException e) {
            if (e.reason() != RaftStorageException.Reason.COMPACTED) {
                throw e;
            }
            return sendSnapshot(to, pr);
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        send(msg(MessageType.APP, to).index(prevIndex).logTerm(prevTerm).entries(ents).commit(raftLog.committed).build());
        if (!ents.isEmpty()) {
            switch (pr.state) {
                case REPLICATE -> {
                    long last = ents.get(ents.size() - 1).index();
                    pr.optimisticUpdate(last);
                    long bytes = 0;
                    for (int i = 0; i < ents.size(); i++) {
                        bytes += ents.get(i).sizeBytes();
                    }
                    pr.inflights.add(last, bytes);
                }
                case PROBE -> pr.probeSent = true;
                case SNAPSHOT -> throw new IllegalStateException("append sent to " + to + " in snapshot state");
            }
        }
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        // A follower not heard from lately may be down: do not spend a snapshot on it.
        if (!pr.recentActive) {
            return false;
        }
        Snapshot snap;
        try {
            snap = raftLog.snapshot();
        } catch (RaftStorageException e) {
            if (e.reason() == RaftStorageException.Reason.SNAPSHOT_TEMPORARILY_UNAVAILABLE) {
                return false;
            }
            throw e;
        }
        if (snap.isEmpty()) {
            throw new IllegalStateException("entries needed by " + to + " are compacted but there is no snapshot");
        }
        pr.becomeSnapshot(snap.metadata().index());
        send(msg(MessageType.SNAP, to).snapshot(snap).build());
        return true;
    }

    void sendHeartbeat(long to, byte[] ctx) {
        // Never tell a follower to commit beyond what it is known to hold: its log may not match yet.
        long commit = Math.min(trk.progress.get(to).match, raftLog.committed);
        Message.Builder b = msg(MessageType.HEARTBEAT, to).commit(commit);
        if (ctx != null) {
            b.context(ctx);
        }
        send(b.build());
    }

    void bcastAppend() {
        appendsPending = false;
        for (Map.Entry<Long, Progress> e : trk.progress.entrySet()) {
            long to = e.getKey();
            if (to == id) {
                continue;
            }
            sendAppend(to);
            // In REPLICATE, pipeline further size-limited batches until the in-flight window is full.
            while (e.getValue().state == ProgressState.REPLICATE && maybeSendAppend(to, false)) {
                // loop
            }
        }
    }

    /** Sends the appends that proposals made pending, one per follower: this is where proposals batch. */
    void flushAppends() {
        if (appendsPending && state == StateRole.LEADER) {
            bcastAppend();
        }
        appendsPending = false;
    }

    void bcastHeartbeat() {
        byte[] ctx = readOnly.lastPendingContext();
        for (long to : trk.progress.keySet()) {
            if (to != id) {
                sendHeartbeat(to, ctx);
            }
        }
    }

    // ---------------------------------------------------------------- commit and append

    /** Advances the commit index to what a quorum holds, if that entry is of this term. */
    boolean maybeCommit() {
        return raftLog.maybeCommit(trk.committed(), term);
    }

    void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = 0;
        }
        lead = 0;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetRandomizedElectionTimeout();
        abortLeaderTransfer();
        trk.resetVotes();
        long last = raftLog.lastIndex();
        trk.visit((pid, pr) -> {
            pr.state = ProgressState.PROBE;
            pr.inflights.reset();
            pr.probeSent = false;
            pr.pendingSnapshot = 0;
            pr.recentActive = false;
            pr.match = pid == id ? last : 0;
            pr.next = last + 1;
        });
        pendingConfIndex = 0;
        uncommittedSize = 0;
        appendsPending = false;
        readOnly = new ReadOnly(readOnly.option);
        pendingReadIndexMessages.clear();
    }

    /** Leader: appends entries of this term to the log; false if the uncommitted-size limit refuses them. */
    boolean appendEntry(List<Entry> es) {
        long li = raftLog.lastIndex();
        Object[] stampedEntries = new Object[es.size()];
        for (int i = 0; i < es.size(); i++) {
            stampedEntries[i] = es.get(i).withTermAndIndex(term, li + 1 + i);
        }
        List<Entry> stamped = FrozenList.own(stampedEntries, stampedEntries.length);
        if (!increaseUncommittedSize(stamped)) {
            return false;
        }
        li = raftLog.append(stamped);
        Progress self = trk.progress.get(id);
        if (self != null) {
            self.maybeUpdate(li);
        }
        maybeCommit();
        return true;
    }

    private boolean increaseUncommittedSize(List<Entry> ents) {
        long s = 0;
        for (int i = 0; i < ents.size(); i++) {
            s += ents.get(i).payloadBytes();
        }
        // Always accept something when nothing is uncommitted, so one large entry cannot block forever.
        if (uncommittedSize > 0 && s > 0 && uncommittedSize + s > maxUncommittedSize) {
            return false;
        }
        uncommittedSize += s;
        return true;
    }

    void reduceUncommittedSize(List<Entry> committedEntries) {
        if (state != StateRole.LEADER) {
            return;
        }
        long s = 0;
        for (int i = 0; i < committedEntries.size(); i++) {
            s += committedEntries.get(i).payloadBytes();
        }
        uncommittedSize = Math.max(0, uncommittedSize - s);
    }

    // ---------------------------------------------------------------- ticks

    void tick() {
        if (state == StateRole.LEADER) {
            tickHeartbeat();
        } else {
            tickElection();
        }
    }

    private void tickElection() {
        electionElapsed++;
        if (promotable() && pastElectionTimeout()) {
            electionElapsed = 0;
            step(Message.builder(MessageType.HUP).from(id).build());
        }
    }

    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeout) {
            electionElapsed = 0;
            if (checkQuorum) {
                step(Message.builder(MessageType.CHECK_QUORUM).from(id).build());
            }
            // A transfer that did not finish within an election timeout is given up (and
            // retried at once by a leader that is no longer a voter).
            if (state == StateRole.LEADER && leadTransferee != 0) {
                abortLeaderTransfer();
                maybeHandOffLeadership();
            }
        }
        if (state != StateRole.LEADER) {
            return;
        }
        if (heartbeatElapsed >= heartbeatTimeout) {
            heartbeatElapsed = 0;
            step(Message.builder(MessageType.BEAT).from(id).build());
        }
    }

    boolean pastElectionTimeout() {
        return electionElapsed >= randomizedElectionTimeout;
    }

    void resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    }

    // ---------------------------------------------------------------- role changes

    void becomeFollower(long newTerm, long newLead) {
        reset(newTerm);
        lead = newLead;
        state = StateRole.FOLLOWER;
    }

    void becomeCandidate() {
        if (state == StateRole.LEADER) {
            throw new IllegalStateException("invalid transition leader -> candidate");
        }
        reset(term + 1);
        vote = id;
        state = StateRole.CANDIDATE;
    }

    void becomePreCandidate() {
        if (state == StateRole.LEADER) {
            throw new IllegalStateException("invalid transition leader -> pre-candidate");
        }
        // A pre-candidate changes neither term nor vote: it only asks whether it could win.
        trk.resetVotes();
        lead = 0;
        state = StateRole.PRE_CANDIDATE;
    }

    void becomeLeader() {
        if (state == StateRole.FOLLOWER) {
            throw new IllegalStateException("invalid transition follower -> leader");
        }
        reset(term);
        lead = id;
        state = StateRole.LEADER;
        Progress self = trk.progress.get(id);
        self.becomeReplicate();
        self.recentActive = true;
        // Conservatively treat the whole uncommitted tail as possibly holding a conf change.
        pendingConfIndex = raftLog.lastIndex();
        // The no-op of this term: committing it commits every earlier entry (Raft §5.4.2, §8).
        if (!appendEntry(List.of(Entry.empty(0, 0)))) {
            throw new IllegalStateException("empty entry was refused");
        }
    }

    boolean promotable() {
        Progress pr = trk.progress.get(id);
        return pr != null && !pr.isLearner && raftLog.pendingSnapshot() == null;
    }

    // ---------------------------------------------------------------- elections

    void hup(CampaignType t) {
        if (state == StateRole.LEADER) {
            return;
        }
        if (!promotable()) {
            return;
        }
        if (hasUnappliedConfChanges()) {
            // Campaigning could make us leader under a configuration we have not applied yet.
            return;
        }
        campaign(t);
    }

    private boolean hasUnappliedConfChanges() {
        if (raftLog.applied >= raftLog.committed) {
            return false;
        }
        long lo = Math.max(raftLog.applied + 1, raftLog.firstIndex());
        for (Entry e : raftLog.slice(lo, raftLog.committed + 1, Long.MAX_VALUE)) {
            if (e.type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    void campaign(CampaignType t) {
        if (!promotable()) {
            return;
        }
        long voteTerm;
        MessageType voteMsg;
        if (t == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            voteMsg = MessageType.PRE_VOTE;
            voteTerm = term + 1; // the pre-vote asks about the term we would campaign in
        } else {
            becomeCandidate();
            voteMsg = MessageType.VOTE;
            voteTerm = term;
        }
        if (poll(id, true) == VoteResult.WON) {
            // Single-voter config: we won by our own vote.
            if (t == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        for (long to : trk.voterNodes()) {
            if (to == id) {
                continue;
            }
            // With our commit index: a commit fact for a voter that holds our last entry.
            Message.Builder b = msg(voteMsg, to).term(voteTerm).index(raftLog.lastIndex()).logTerm(raftLog.lastTerm())
                    .commit(raftLog.committed);
            if (t == CampaignType.TRANSFER) {
                b.context(CAMPAIGN_TRANSFER);
            }
            send(b.build());
        }
    }

    VoteResult poll(long from, boolean granted) {
        trk.recordVote(from, granted);
        return trk.voteResult();
    }

    // ---------------------------------------------------------------- step

    /**
     * Handles a message. Throws {@link ProposalDroppedException} for a refused proposal, read index
     * or conf change; every other message is either handled or ignored.
     */
    void step(Message m) {
        // Before the term checks: a commit fact is true whatever the term of the message carrying it.
        learnCommitFact(m);
        if (m.term() == 0) {
            // local message or a forwarded request
        } else if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                boolean force = Arrays.equals(m.context(), CAMPAIGN_TRANSFER);
                boolean inLease = checkQuorum && lead != 0 && electionElapsed < electionTimeout;
                if (!force && inLease) {
                    // We heard from a live leader within the minimum election timeout: ignore the
                    // request without raising our term (thesis §4.2.3, disruptive servers).
                    return;
                }
            }
            switch (m.type()) {
                case PRE_VOTE -> {
                    // Never change our term on a pre-vote.
                }
                case PRE_VOTE_RESP -> {
                    if (m.reject()) {
                        becomeFollower(m.term(), 0);
                    }
                    // A granted pre-vote carries the future term; we raise ours when we win.
                }
                case APP, HEARTBEAT, SNAP -> becomeFollower(m.term(), m.from());
                default -> becomeFollower(m.term(), 0);
            }
        } else if (m.term() < term) {
            // Answer a stale leader or candidate with our term (as the paper's RPC replies do), so
            // it steps down or moves on. etcd answers a stale append only with check-quorum or
            // pre-vote, but a member whose term ran ahead while it could not win (its applied
            // configuration names voters that are gone) then never hears of the leader's term,
            // nor the leader of its own: the simulator found both (seeds 32116, 48494).
            if (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APP) {
                send(msg(MessageType.APP_RESP, m.from()).build());
            } else if (m.type() == MessageType.PRE_VOTE || m.type() == MessageType.VOTE) {
                send(withCommitFact(msg(m.type().voteResponse(), m.from()).reject(true), m.index()).build());
            }
            return;
        }

        switch (m.type()) {
            case HUP -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
            case VOTE, PRE_VOTE -> handleVoteRequest(m);
            default -> {
                switch (state) {
                    case LEADER -> stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    private void handleVoteRequest(Message m) {
        // We may vote if we already voted for this node (a repeated request), if we have neither
        // voted nor know a leader in this term, or for a pre-vote about a future term.
        boolean canVote = vote == m.from()
                || (vote == 0 && lead == 0)
                || (m.type() == MessageType.PRE_VOTE && m.term() > term);
        if (canVote && raftLog.isUpToDate(m.index(), m.logTerm())) {
            // The response carries the request's term: for a pre-vote, ours may be lower.
            send(withCommitFact(Message.builder(m.type().voteResponse()).from(id).to(m.from()).term(m.term()),
                    m.index()).build());
            if (m.type() == MessageType.VOTE) {
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(withCommitFact(msg(m.type().voteResponse(), m.from()).reject(true), m.index()).build());
        }
    }

    // ---------------------------------------------------------------- commit facts

    /*
     * Commit facts: a node may tell another how far its log is known committed, and the other may
     * commit up to there without a leader. This closes the liveness holes of apply-time membership
     * changes (etcd-io/etcd#12359), where a node holds a committed change without knowing it is
     * committed and keeps counting a node that the change removed. A removed or demoted node
     * holding the longest log never campaigns (it is no voter in its applied configuration) and
     * refuses its vote to the remaining voter, which still needs that vote; or a candidate or new
     * leader whose joint configuration still counts a removed and stopped node cannot win or
     * commit, while its peers know the leave was committed. Where facts travel:
     *  - every vote response, granted or not: the responder's commit index capped at the
     *    candidate's last index, with the responder's term there (commit, logTerm);
     *  - every vote request: the candidate's commit index, with its last entry (index, logTerm);
     *  - a heartbeat answer from a follower that knows more than the heartbeat said.
     *
     * Why it is safe. A node's commit index c is a fact about the cluster, not about a term: every
     * entry up to c is committed, so by Leader Completeness every later leader's log (and so every
     * node's committed prefix, forever) holds that very prefix. A node's commit index only ever
     * comes from such facts (a leader's counting, a leader's append or heartbeat bounded by what
     * the follower holds, a snapshot, its own storage, or this rule), and a crash may lose part of
     * it but never invent it. A fact names an entry (index i >= c, term t) of the sender's log. A
     * receiver that holds an entry at i with term t holds, by Log Matching (which holds between
     * any two logs at any two times), exactly the sender's prefix up to i, so its prefix up to c is
     * the committed one: committing it changes no log and cannot make anyone apply an entry that
     * is not committed. A receiver without that entry learns nothing. The message's term does not
     * matter, so facts are taken before the term checks, even from stale messages. Votes, the
     * up-to-date check and the commit-by-counting rule are untouched; a node only reaches a commit
     * index sooner that the leader which committed it could have sent it.
     *
     * Not done, because it is unsafe: letting a removed node campaign, or grant votes, regardless
     * of logs.
     */

    /**
     * Adds this node's commit fact for a peer whose log ends at {@code peerLastIndex}: the highest
     * index it may match, {@code min(committed, peerLastIndex)}, and our term there.
     */
    private Message.Builder withCommitFact(Message.Builder b, long peerLastIndex) {
        long c = Math.min(raftLog.committed, peerLastIndex);
        long t = c > 0 ? raftLog.termOrZero(c) : 0;
        return t > 0 ? b.commit(c).logTerm(t) : b;
    }

    /**
     * Commits up to a commit fact carried by a vote request or response or a heartbeat answer, if
     * our log holds the fact's entry (see the commit-facts note above). A leader gets facts from
     * heartbeat answers only when a follower knows more than it: a leader elected after an entry
     * was committed by an earlier one, whose configuration needs a node that is gone to commit
     * anything of its own.
     */
    private void learnCommitFact(Message m) {
        switch (m.type()) {
            case VOTE, PRE_VOTE -> {
                // The candidate's commit index, with its last entry (index, logTerm): if we hold
                // that entry, our log up to there is the candidate's, committed prefix included.
                if (m.commit() > raftLog.committed && raftLog.matchTerm(m.index(), m.logTerm())) {
                    raftLog.commitTo(Math.min(m.commit(), m.index()));
                }
            }
            case VOTE_RESP, PRE_VOTE_RESP, HEARTBEAT_RESP -> {
                if (m.commit() > raftLog.committed && m.logTerm() > 0 && raftLog.matchTerm(m.commit(), m.logTerm())) {
                    raftLog.commitTo(m.commit());
                }
            }
            default -> {
            }
        }
    }

    private void stepLeader(Message m) {
        switch (m.type()) {
            case BEAT -> {
                bcastHeartbeat();
                return;
            }
            case CHECK_QUORUM -> {
                if (!trk.quorumActive(id)) {
                    becomeFollower(term, 0);
                }
                trk.visit((pid, pr) -> {
                    if (pid != id) {
                        pr.recentActive = false;
                    }
                });
                return;
            }
            case PROP -> {
                stepLeaderProposal(m.entries());
                return;
            }
            case READ_INDEX -> {
                if (trk.isSingletonOf(id)) {
                    respondToReadIndex(m, raftLog.committed);
                } else if (!committedEntryInCurrentTerm()) {
                    // Until an entry of this term commits, our commit index may lag the real one
                    // (thesis §6.4 step 1): hold the request.
                    pendingReadIndexMessages.add(m);
                } else {
                    sendReadIndexResponse(m);
                }
                return;
            }
            default -> {
            }
        }
        Progress pr = trk.progress.get(m.from());
        if (pr == null) {
            return;
        }
        switch (m.type()) {
            case APP_RESP -> handleAppendResponse(m, pr);
            case HEARTBEAT_RESP -> {
                pr.recentActive = true;
                pr.probeSent = false;
                // The follower is alive: let one more append through a full window.
                if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) {
                    pr.inflights.freeFirstOne();
                }
                if (pr.match < raftLog.lastIndex()) {
                    sendAppend(m.from());
                }
                if (readOnly.option != ReadOnlyOption.SAFE || m.context().length == 0) {
                    return;
                }
                Map<Long, Boolean> acks = readOnly.recvAck(m.from(), m.context());
                if (acks == null || trk.config.voters().voteResult(acks) != VoteResult.WON) {
                    return;
                }
                for (ReadOnly.Status rs : readOnly.advance(m.context())) {
                    respondToReadIndex(rs.request, rs.index);
                }
            }
            case SNAP_STATUS -> {
                if (pr.state != ProgressState.SNAPSHOT) {
                    return;
                }
                if (m.reject()) {
                    // The snapshot did not arrive: forget it, so probing picks the next one.
                    pr.pendingSnapshot = 0;
                }
                pr.becomeProbe();
                // Wait for a heartbeat answer (or the append answer) before probing again.
                pr.probeSent = true;
            }
            case UNREACHABLE -> {
                // Appends were probably lost: go back to probing instead of streaming into the void.
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
            }
            case TRANSFER_LEADER -> handleTransferLeader(m, pr);
            default -> {
            }
        }
    }

    /**
     * A proposal made on this node ({@link RawNode#propose}): as {@code step} of a {@link
     * MessageType#PROP}, but a leader takes the entries straight away, without a message.
     */
    void propose(List<Entry> es) {
        if (state == StateRole.LEADER) {
            stepLeaderProposal(es);
        } else {
            step(Message.builder(MessageType.PROP).from(id).entries(es).build());
        }
    }

    private void stepLeaderProposal(List<Entry> es) {
        if (es.isEmpty()) {
            throw new IllegalArgumentException("proposal without entries");
        }
        if (!isVoter()) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.NOT_A_MEMBER,
                    "leader " + id + " is no longer a voter and is handing leadership over");
        }
        if (leadTransferee != 0) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.LEADER_TRANSFER_IN_PROGRESS,
                    "leader " + id + " is transferring leadership to " + leadTransferee);
        }
        long newPendingConf = 0;
        for (int i = 0; i < es.size(); i++) {
            Entry e = es.get(i);
            if (e.type() != EntryType.CONF_CHANGE) {
                continue;
            }
            ConfChange cc;
            try {
                cc = RaftCodec.decodeConfChange(e.data());
            } catch (IllegalArgumentException ex) {
                throw new ProposalDroppedException(ProposalDroppedException.Reason.CONF_CHANGE_REJECTED,
                        "conf change entry cannot be decoded: " + ex.getMessage());
            }
            boolean alreadyPending = pendingConfIndex > raftLog.applied || newPendingConf != 0;
            boolean alreadyJoint = trk.config.voters().isJoint();
            boolean wantsLeaveJoint = cc.isLeaveJoint();
            String refused = null;
            if (alreadyPending) {
                refused = "a conf change is pending at index " + pendingConfIndex + " (applied " + raftLog.applied + ")";
            } else if (alreadyJoint && !wantsLeaveJoint) {
                refused = "the configuration is joint; leave it first";
            } else if (!alreadyJoint && wantsLeaveJoint) {
                refused = "the configuration is not joint; nothing to leave";
            }
            if (refused != null) {
                throw new ProposalDroppedException(ProposalDroppedException.Reason.CONF_CHANGE_REJECTED,
                        "conf change " + cc + " refused: " + refused);
            }
            newPendingConf = raftLog.lastIndex() + i + 1;
        }
        if (!appendEntry(es)) {
            throw new ProposalDroppedException(ProposalDroppedException.Reason.UNCOMMITTED_SIZE_LIMIT,
                    "uncommitted log tail holds " + uncommittedSize + " bytes, limit " + maxUncommittedSize);
        }
        if (newPendingConf != 0) {
            pendingConfIndex = newPendingConf;
        }
        // Broadcast lazily: every proposal until the next Ready goes out in one append per follower.
        appendsPending = true;
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.reject()) {
            // The follower's log does not match at m.index. Its hint (index, term) says where it
            // may match; skip every index of ours whose term is above the hinted term, since those
            // cannot match either (the leader side of the fast backtracking, thesis §5.3 / etcd).
            long nextProbeIdx = m.rejectHint();
            if (m.logTerm() > 0) {
                nextProbeIdx = raftLog.findConflictByTerm(m.rejectHint(), m.logTerm())[0];
            }
            if (pr.maybeDecrTo(m.index(), nextProbeIdx)) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from());
            }
            return;
        }
        boolean oldPaused = pr.isPaused();
        if (pr.maybeUpdate(m.index())) {
            switch (pr.state) {
                case PROBE -> pr.becomeReplicate();
                case SNAPSHOT -> {
                    if (pr.match >= pr.pendingSnapshot) {
                        pr.becomeProbe();
                        pr.becomeReplicate();
                    }
                }
                case REPLICATE -> pr.inflights.freeLE(m.index());
            }
            if (maybeCommit()) {
                releasePendingReadIndexMessages();
                bcastAppend();
            } else if (oldPaused) {
                // The follower was paused and is not any more: send what it missed.
                sendAppend(m.from());
            }
            // Fill the in-flight window while there is more to send.
            while (maybeSendAppend(m.from(), false)) {
                // loop
            }
            if (m.from() == leadTransferee && pr.match == raftLog.lastIndex()) {
                sendTimeoutNow(m.from());
            }
        }
    }

    private void handleTransferLeader(Message m, Progress pr) {
        if (pr.isLearner) {
            return; // a learner cannot lead
        }
        long transferee = m.from();
        if (leadTransferee != 0) {
            if (leadTransferee == transferee) {
                return; // same transfer already under way
            }
            abortLeaderTransfer();
        }
        if (transferee == id) {
            return; // already leader
        }
        // The transfer must finish within an election timeout (see tickHeartbeat).
        electionElapsed = 0;
        leadTransferee = transferee;
        if (pr.match == raftLog.lastIndex()) {
            sendTimeoutNow(transferee);
        } else {
            sendAppend(transferee);
        }
    }

    private void sendTimeoutNow(long to) {
        send(msg(MessageType.TIMEOUT_NOW, to).build());
    }

    void abortLeaderTransfer() {
        leadTransferee = 0;
    }

    private void stepCandidate(Message m) {
        MessageType myVoteResp = state == StateRole.PRE_CANDIDATE ? MessageType.PRE_VOTE_RESP : MessageType.VOTE_RESP;
        switch (m.type()) {
            case PROP -> throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                    "node " + id + " is campaigning; no leader to take the proposal");
            case READ_INDEX -> throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                    "node " + id + " is campaigning; no leader to serve the read index");
            case APP -> {
                becomeFollower(m.term(), m.from()); // always m.term() == term here
                handleAppendEntries(m);
            }
            case HEARTBEAT -> {
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
            }
            case SNAP -> {
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
            }
            case TIMEOUT_NOW -> {
                // Already campaigning.
            }
            default -> {
                if (m.type() == myVoteResp) {
                    VoteResult res = poll(m.from(), !m.reject());
                    switch (res) {
                        case WON -> {
                            if (state == StateRole.PRE_CANDIDATE) {
                                campaign(CampaignType.ELECTION);
                            } else {
                                becomeLeader();
                                bcastAppend();
                            }
                        }
                        case LOST -> becomeFollower(term, 0);
                        case PENDING -> {
                        }
                    }
                }
            }
        }
    }

    private void stepFollower(Message m) {
        switch (m.type()) {
            case PROP -> {
                if (lead == 0) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                            "node " + id + " knows no leader at term " + term);
                }
                if (disableProposalForwarding) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.FORWARDING_DISABLED,
                            "node " + id + " is not the leader (leader is " + lead + ") and does not forward");
                }
                send(m.toBuilder().from(id).to(lead).build());
            }
            case APP -> {
                electionElapsed = 0;
                lead = m.from();
                handleAppendEntries(m);
            }
            case HEARTBEAT -> {
                electionElapsed = 0;
                lead = m.from();
                handleHeartbeat(m);
            }
            case SNAP -> {
                electionElapsed = 0;
                lead = m.from();
                handleSnapshot(m);
            }
            case TRANSFER_LEADER -> {
                // Forward to the leader; "from" stays the transferee.
                if (lead != 0) {
                    send(m.toBuilder().to(lead).term(term).build());
                }
            }
            case TIMEOUT_NOW -> {
                // Leadership transfers never use pre-vote: the leader asked for this election.
                hup(CampaignType.TRANSFER);
            }
            case READ_INDEX -> {
                if (lead == 0) {
                    throw new ProposalDroppedException(ProposalDroppedException.Reason.NO_LEADER,
                            "node " + id + " knows no leader to serve the read index");
                }
                // Keep the asker as sender: the leader answers it directly, and a node that merely
                // passes the request on must not receive a read state for a context it never sent.
                send(m.toBuilder().from(m.from() == 0 ? id : m.from()).to(lead).build());
            }
            case READ_INDEX_RESP -> readStates.add(new ReadState(m.index(), m.context()));
            default -> {
            }
        }
    }

    void handleAppendEntries(Message m) {
        if (m.index() < raftLog.committed) {
            // Old, already committed prefix: tell the leader where we are.
            send(msg(MessageType.APP_RESP, m.from()).index(raftLog.committed).build());
            return;
        }
        long lastNew = raftLog.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(msg(MessageType.APP_RESP, m.from()).index(lastNew).build());
            return;
        }
        // Reject with a hint (Raft §5.3 optimisation): the largest index <= min(m.index, our last)
        // whose term is <= m.logTerm. The leader can resume probing right there.
        long[] hint = raftLog.findConflictByTerm(Math.min(m.index(), raftLog.lastIndex()), m.logTerm());
        send(msg(MessageType.APP_RESP, m.from()).index(m.index()).reject(true).rejectHint(hint[0]).logTerm(hint[1]).build());
    }

    void handleHeartbeat(Message m) {
        raftLog.commitTo(m.commit());
        Message.Builder resp = msg(MessageType.HEARTBEAT_RESP, m.from()).context(m.context());
        if (raftLog.committed > m.commit()) {
            // We know more is committed than the leader told us: the leader may not know it
            // either (it was elected after an earlier leader committed it). Tell it.
            withCommitFact(resp, raftLog.committed);
        }
        send(resp.build());
    }

    void handleSnapshot(Message m) {
        if (restore(m.snapshot())) {
            send(msg(MessageType.APP_RESP, m.from()).index(raftLog.lastIndex()).build());
        } else {
            send(msg(MessageType.APP_RESP, m.from()).index(raftLog.committed).build());
        }
    }

    /** Installs a snapshot from the leader; false if it is stale or only fast-forwards the commit. */
    boolean restore(Snapshot s) {
        SnapshotMetadata md = s.metadata();
        if (md.index() <= raftLog.committed) {
            return false;
        }
        if (state != StateRole.FOLLOWER) {
            // stepCandidate turns into a follower first, and a leader never gets a snapshot of its
            // own term (election safety): reaching here means the engine is broken.
            throw new IllegalStateException("node " + id + " in state " + state + " asked to install " + s);
        }
        ConfState cs = md.confState();
        if (!cs.voters().contains(id) && !cs.learners().contains(id) && !cs.votersOutgoing().contains(id)) {
            // Not a member under this snapshot: installing it would make us unable to take part.
            return false;
        }
        if (raftLog.matchTerm(md.index(), md.term())) {
            // We already hold the snapshot's last entry: just advance the commit index.
            raftLog.commitTo(md.index());
            return false;
        }
        raftLog.restore(s);
        ProgressTracker fresh = new ProgressTracker(trk.maxInflight, trk.maxInflightBytes);
        ConfChanger.Result r = ConfChanger.restore(fresh, raftLog.lastIndex(), cs);
        ConfState got = switchToConfig(r);
        if (!got.equals(cs)) {
            throw new IllegalStateException("snapshot configuration " + cs + " restored as " + got);
        }
        return true;
    }

    // ---------------------------------------------------------------- configuration

    ConfState applyConfChange(ConfChange cc) {
        ConfChanger changer = new ConfChanger(trk, raftLog.lastIndex());
        ConfChanger.Result r;
        if (cc.isLeaveJoint()) {
            r = changer.leaveJoint();
        } else {
            Boolean autoLeave = cc.enterJointAutoLeave();
            r = autoLeave != null ? changer.enterJoint(autoLeave, cc.changes()) : changer.simple(cc.changes());
        }
        return switchToConfig(r);
    }

    /** Installs a new configuration and progress map, and reacts to it. */
    ConfState switchToConfig(ConfChanger.Result r) {
        trk.config = r.config();
        trk.progress = r.progress();
        ConfState cs = trk.confState();
        Progress pr = trk.progress.get(id);
        isLearner = pr != null && pr.isLearner;
        if (state != StateRole.LEADER || cs.voters().isEmpty()) {
            return cs;
        }
        // The quorum may have changed: commit what the new quorum already holds.
        if (maybeCommit()) {
            bcastAppend();
        } else {
            for (long to : trk.progress.keySet()) {
                if (to != id) {
                    maybeSendAppend(to, false);
                }
            }
        }
        if (leadTransferee != 0 && !trk.config.voters().contains(leadTransferee)) {
            abortLeaderTransfer();
        }
        maybeHandOffLeadership();
        return cs;
    }

    /** Whether this node is a voter (incoming or outgoing) of the current configuration. */
    boolean isVoter() {
        return trk.config.voters().contains(id);
    }

    /**
     * A leader that was removed or demoted to learner keeps leading (it still replicates and
     * commits for the new configuration, whose quorum excludes it) but takes no proposals, and
     * hands leadership to the most up-to-date voter. Stepping down at once instead can deadlock:
     * the remaining voters may lack entries only this node holds, and as a learner it would
     * refuse them its vote without ever campaigning itself.
     */
    void maybeHandOffLeadership() {
        if (state != StateRole.LEADER || isVoter() || leadTransferee != 0) {
            return;
        }
        long best = 0;
        long bestMatch = -1;
        for (long v : trk.voterNodes()) {
            Progress p = trk.progress.get(v);
            if (p != null && p.match > bestMatch) {
                best = v;
                bestMatch = p.match;
            }
        }
        if (best == 0) {
            return;
        }
        electionElapsed = 0;
        leadTransferee = best;
        if (bestMatch == raftLog.lastIndex()) {
            sendTimeoutNow(best);
        } else {
            sendAppend(best);
        }
    }

    // ---------------------------------------------------------------- read index

    private boolean committedEntryInCurrentTerm() {
        return raftLog.termOrZero(raftLog.committed) == term;
    }

    private void releasePendingReadIndexMessages() {
        if (pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
            return;
        }
        List<Message> held = new ArrayList<>(pendingReadIndexMessages);
        pendingReadIndexMessages.clear();
        for (Message m : held) {
            sendReadIndexResponse(m);
        }
    }

    private void sendReadIndexResponse(Message m) {
        switch (readOnly.option) {
            case SAFE -> {
                // Confirm leadership with a heartbeat round that carries the request's context.
                readOnly.addRequest(raftLog.committed, m);
                readOnly.recvAck(id, m.context());
                bcastHeartbeatWithContext(m.context());
            }
            case LEASE_BASED -> respondToReadIndex(m, raftLog.committed);
        }
    }

    private void bcastHeartbeatWithContext(byte[] ctx) {
        for (long to : trk.progress.keySet()) {
            if (to != id) {
                sendHeartbeat(to, ctx);
            }
        }
    }

    private void respondToReadIndex(Message req, long readIndex) {
        if (req.from() == 0 || req.from() == id) {
            readStates.add(new ReadState(readIndex, req.context()));
            return;
        }
        send(msg(MessageType.READ_INDEX_RESP, req.from()).index(readIndex).context(req.context()).build());
    }

    Map<Long, ProgressStatus> progressStatus() {
        Map<Long, ProgressStatus> out = new TreeMap<>();
        if (state == StateRole.LEADER) {
            trk.visit((pid, pr) -> out.put(pid, pr.toStatus()));
        }
        return out;
    }
}
