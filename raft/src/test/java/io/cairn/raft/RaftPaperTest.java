package io.cairn.raft;

import static io.cairn.raft.RaftTestUtil.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per rule of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", extended version), each in the shape init / step / check, citing the
 * section it checks. Pre-vote and check-quorum are off: these are the paper's rules.
 */
class RaftPaperTest {

    private static Raft inRole(StateRole role, MemoryRaftStorage s) {
        Raft r = newRaft(1, 10, 1, s);
        switch (role) {
            case FOLLOWER -> r.becomeFollower(1, 2);
            case PRE_CANDIDATE -> r.becomePreCandidate();
            case CANDIDATE -> r.becomeCandidate();
            case LEADER -> {
                r.becomeCandidate();
                r.becomeLeader();
            }
        }
        return r;
    }

    // Raft §5.1: "If one server's current term is smaller than the other's, then it updates its
    // current term to the larger value. If a candidate or leader discovers that its term is out of
    // date, it immediately reverts to follower state."
    @ParameterizedTest
    @EnumSource(value = StateRole.class, names = {"FOLLOWER", "CANDIDATE", "LEADER"})
    void updateTermFromMessage(StateRole role) {
        Raft r = inRole(role, storage(ids(1, 2, 3)));
        r.step(msg(MessageType.APP, 2, 1, 2).build());
        assertEquals(2, r.term, "term after a message of term 2");
        assertEquals(StateRole.FOLLOWER, r.state, "role after a message with a higher term");
        assertEquals(2, r.lead, "leader learnt from the append");
    }

    // Raft §5.1: "If a server receives a request with a stale term number, it rejects the request."
    // The answer carries the current term (§5.1: servers exchange current terms whenever they
    // communicate), so the stale sender updates its own.
    @Test
    void rejectStaleTermMessage() {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
        r.becomeFollower(2, 0);
        r.step(msg(MessageType.APP, 2, 1, 1).entries(entries(1, 1, "x")).index(0).logTerm(0).build());
        assertEquals(0, r.raftLog.lastIndex(), "entries of a stale append must not be taken");
        List<Message> out = readMessages(r);
        assertEquals(1, out.size(), "one answer to a stale append: " + out);
        assertEquals(MessageType.APP_RESP, out.get(0).type());
        assertEquals(2, out.get(0).term(), "the answer carries the current term");
        assertEquals(2, r.term);
        r.step(msg(MessageType.VOTE, 3, 1, 1).index(5).logTerm(1).build());
        out = readMessages(r);
        assertEquals(1, out.size(), "one answer to a stale vote request: " + out);
        assertTrue(out.get(0).reject());
        assertEquals(2, out.get(0).term());
        assertEquals(0, r.vote, "no vote for a stale candidate");
    }

    // Raft §5.2: "When servers start up, they begin as followers."
    @Test
    void startAsFollower() {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
        assertEquals(StateRole.FOLLOWER, r.state);
        assertEquals(0, r.term);
    }

    // Raft §5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries)
    // to all followers in order to maintain their authority."
    @Test
    void leaderBcastBeat() {
        int hi = 3;
        Raft r = newRaft(1, 10, hi, storage(ids(1, 2, 3)));
        r.becomeCandidate();
        r.becomeLeader();
        readMessages(r);
        for (int i = 0; i < hi; i++) {
            r.tick();
        }
        List<Message> msgs = readMessages(r);
        assertEquals(2, msgs.size(), "heartbeats after " + hi + " ticks: " + msgs);
        for (Message m : msgs) {
            assertEquals(MessageType.HEARTBEAT, m.type());
            assertEquals(1, m.term());
            assertTrue(m.entries().isEmpty());
        }
    }

    // Raft §5.2: "If a follower receives no communication over a period of time called the election
    // timeout, then it ... begins an election": it increments its term, votes for itself and sends
    // RequestVote to every other server. The same holds for a candidate whose election times out.
    @ParameterizedTest
    @EnumSource(value = StateRole.class, names = {"FOLLOWER", "CANDIDATE"})
    void nonleaderStartElection(StateRole role) {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
        if (role == StateRole.FOLLOWER) {
            r.becomeFollower(1, 2);
        } else {
            r.becomeCandidate();
        }
        for (int i = 1; i < 2 * 10; i++) {
            r.tick();
        }
        assertEquals(2, r.term);
        assertEquals(StateRole.CANDIDATE, r.state);
        assertEquals(1, r.vote, "votes for itself");
        List<Message> msgs = readMessages(r);
        msgs.removeIf(m -> m.term() != 2);
        assertEquals(Set.of(2L, 3L), Set.copyOf(msgs.stream().map(Message::to).toList()));
        for (Message m : msgs) {
            assertEquals(MessageType.VOTE, m.type());
        }
    }

    record ElectionCase(int size, Set<Long> grants, Set<Long> rejects, StateRole want) {}

    static List<ElectionCase> electionCases() {
        return List.of(
                new ElectionCase(1, Set.of(), Set.of(), StateRole.LEADER),
                new ElectionCase(3, Set.of(2L, 3L), Set.of(), StateRole.LEADER),
                new ElectionCase(3, Set.of(2L), Set.of(), StateRole.LEADER),
                new ElectionCase(5, Set.of(2L, 3L, 4L, 5L), Set.of(), StateRole.LEADER),
                new ElectionCase(5, Set.of(2L, 3L), Set.of(), StateRole.LEADER),
                new ElectionCase(3, Set.of(), Set.of(2L, 3L), StateRole.FOLLOWER),
                new ElectionCase(5, Set.of(2L), Set.of(3L, 4L, 5L), StateRole.FOLLOWER),
                new ElectionCase(3, Set.of(), Set.of(), StateRole.CANDIDATE),
                new ElectionCase(5, Set.of(2L), Set.of(), StateRole.CANDIDATE),
                new ElectionCase(5, Set.of(2L), Set.of(3L), StateRole.CANDIDATE));
    }

    // Raft §5.2: a candidate "wins an election if it receives votes from a majority of the servers
    // in the full cluster for the same term"; it returns to follower once it cannot win, and stays
    // candidate while the outcome is open.
    @ParameterizedTest
    @MethodSource("electionCases")
    void leaderElectionInOneRoundRPC(ElectionCase c) {
        long[] voters = new long[c.size()];
        for (int i = 0; i < c.size(); i++) {
            voters[i] = i + 1;
        }
        Raft r = newRaft(1, 10, 1, storage(voters));
        r.step(hup(1));
        for (long id : c.grants()) {
            r.step(msg(MessageType.VOTE_RESP, id, 1, r.term).build());
        }
        for (long id : c.rejects()) {
            r.step(msg(MessageType.VOTE_RESP, id, 1, r.term).reject(true).build());
        }
        assertEquals(c.want(), r.state, "state after votes " + c);
        assertEquals(1, r.term);
    }

    // Raft §5.2: "Each server will vote for at most one candidate in a given term, on a
    // first-come-first-served basis."
    @Test
    void followerVote() {
        record Case(long vote, long nvote, boolean reject) {}
        for (Case c : List.of(new Case(0, 2, false), new Case(0, 3, false), new Case(2, 2, false),
                new Case(3, 3, false), new Case(2, 3, true), new Case(3, 2, true))) {
            MemoryRaftStorage s = storage(ids(1, 2, 3));
            s.setHardState(new HardState(1, c.vote(), 0));
            Raft r = newRaft(1, 10, 1, s);
            r.step(msg(MessageType.VOTE, c.nvote(), 1, 1).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size());
            assertEquals(MessageType.VOTE_RESP, msgs.get(0).type());
            assertEquals(c.reject(), msgs.get(0).reject(), "vote of a node that voted " + c.vote() + " for " + c.nvote());
        }
    }

    // Raft §5.2: "If the AppendEntries RPC is from a leader whose term is at least as large as the
    // candidate's current term, then the candidate ... returns to follower state."
    @Test
    void candidateFallback() {
        for (long term : new long[] {1, 2}) {
            Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
            r.step(hup(1));
            assertEquals(StateRole.CANDIDATE, r.state);
            r.step(msg(MessageType.APP, 2, 1, term).build());
            assertEquals(StateRole.FOLLOWER, r.state, "after an append of term " + term);
            assertEquals(term, r.term);
        }
    }

    // Raft §5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval";
    // here [electionTick, 2 * electionTick), drawn from the injected generator.
    @Test
    void electionTimeoutRandomized() {
        int et = 10;
        Set<Integer> seen = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            Raft r = newRaft(RaftConfig.builder(1, new SplittableRandom(seed)).electionTick(et).build(),
                    storage(ids(1, 2, 3)));
            int ticks = 0;
            long term = r.term;
            while (r.term == term) {
                r.tick();
                ticks++;
                assertTrue(ticks < 2 * et, "no election within 2 * electionTick ticks");
            }
            assertTrue(ticks >= et, "election after " + ticks + " ticks, before electionTick");
            seen.add(ticks);
        }
        assertTrue(seen.size() > et / 2, "timeouts are spread over the interval: " + seen);
    }

    // Raft §5.3: "The leader appends the command to its log as a new entry, then issues
    // AppendEntries RPCs in parallel to each of the other servers to replicate the entry."
    @Test
    void leaderStartReplication() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        Raft r = newRaft(1, 10, 1, s);
        r.becomeCandidate();
        r.becomeLeader();
        commitNoopEntry(r, s);
        long li = r.raftLog.lastIndex();
        r.step(propose(1, "some data"));
        assertEquals(li + 1, r.raftLog.lastIndex());
        assertEquals(li, r.raftLog.committed, "not committed before replication");
        List<Message> msgs = readMessages(r);
        assertEquals(2, msgs.size());
        for (Message m : msgs) {
            assertEquals(MessageType.APP, m.type());
            assertEquals(li, m.index());
            assertEquals(1, m.logTerm());
            assertEquals(entries(1, li + 1, "some data"), m.entries());
            assertEquals(li, m.commit());
        }
    }

    // Raft §5.3: "A log entry is committed once the leader that created the entry has replicated it
    // on a majority of the servers"; the leader then applies it and includes the commit index in
    // future AppendEntries so followers learn it.
    @Test
    void leaderCommitEntryAndFollowersLearn() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        Raft r = newRaft(1, 10, 1, s);
        r.becomeCandidate();
        r.becomeLeader();
        commitNoopEntry(r, s);
        long li = r.raftLog.lastIndex();
        r.step(propose(1, "some data"));
        for (Message m : readMessages(r)) {
            r.step(acceptAndReply(m));
        }
        assertEquals(li + 1, r.raftLog.committed);
        List<Message> msgs = readMessages(r);
        assertFalse(msgs.isEmpty());
        for (Message m : msgs) {
            assertEquals(MessageType.APP, m.type());
            assertEquals(li + 1, m.commit(), "followers learn the commit index");
        }
    }

    // Raft §5.3: the entry is committed with a bare majority: acknowledgements from a minority of
    // followers plus the leader suffice; fewer do not.
    @Test
    void leaderAcknowledgeCommit() {
        record Case(int size, Set<Long> acceptors, boolean committed) {}
        for (Case c : List.of(new Case(1, Set.of(), true), new Case(3, Set.of(), false), new Case(3, Set.of(2L), true),
                new Case(5, Set.of(2L), false), new Case(5, Set.of(2L, 3L), true))) {
            long[] voters = new long[c.size()];
            for (int i = 0; i < c.size(); i++) {
                voters[i] = i + 1;
            }
            MemoryRaftStorage s = storage(voters);
            Raft r = newRaft(1, 10, 1, s);
            r.becomeCandidate();
            r.becomeLeader();
            commitNoopEntry(r, s);
            long li = r.raftLog.lastIndex();
            r.step(propose(1, "some data"));
            for (Message m : readMessages(r)) {
                if (c.acceptors().contains(m.to())) {
                    r.step(acceptAndReply(m));
                }
            }
            assertEquals(c.committed(), r.raftLog.committed > li, "committed with acks from " + c);
        }
    }

    // Raft §5.3: "When sending an AppendEntries RPC, the leader includes the index and term of the
    // entry in its log that immediately precedes the new entries. If the follower does not find an
    // entry in its log with the same index and term, then it refuses the new entries."
    @Test
    void followerCheckMsgApp() {
        record Case(long term, long index, boolean reject, long wantIndex) {}
        for (Case c : List.of(new Case(0, 0, false, 1), new Case(1, 1, false, 1), new Case(2, 2, false, 2),
                new Case(1, 2, true, 2), new Case(3, 3, true, 3))) {
            MemoryRaftStorage s = storage(ids(1, 2, 3), 1, 2);
            s.setHardState(new HardState(2, 0, 1));
            Raft r = newRaft(1, 10, 1, s);
            r.becomeFollower(2, 2);
            r.step(msg(MessageType.APP, 2, 1, 2).logTerm(c.term()).index(c.index()).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size());
            Message m = msgs.get(0);
            assertEquals(MessageType.APP_RESP, m.type());
            assertEquals(c.reject(), m.reject(), "append after (" + c.term() + ", " + c.index() + ")");
            if (!c.reject()) {
                assertEquals(c.wantIndex(), m.index());
            }
        }
    }

    // Raft §5.3: "If an existing entry conflicts with a new one (same index but different terms),
    // delete the existing entry and all that follow it; append any new entries not already in the log."
    @Test
    void followerAppendEntries() {
        MemoryRaftStorage s = storage(ids(1, 2, 3), 1, 2, 2);
        Raft r = newRaft(1, 10, 1, s);
        r.becomeFollower(3, 2);
        // Entry 3 (term 2) conflicts with the leader's (term 3).
        r.step(msg(MessageType.APP, 2, 1, 3).logTerm(2).index(2).entries(entries(3, 3, "a", "b")).build());
        assertEquals(4, r.raftLog.lastIndex());
        assertEquals(3, r.raftLog.term(3));
        assertEquals(3, r.raftLog.term(4));
        assertEquals(2, r.raftLog.term(2), "the matching prefix stays");
        // An append that is already contained changes nothing.
        r.step(msg(MessageType.APP, 2, 1, 3).logTerm(1).index(1).entries(List.of(Entry.empty(2, 2))).build());
        assertEquals(4, r.raftLog.lastIndex(), "a duplicate append must not truncate");
    }

    // Raft §5.3: "After a rejection, the leader decrements nextIndex and retries the AppendEntries
    // RPC. Eventually nextIndex will reach a point where the leader and follower logs match." This
    // checks the paper's figure 7 follower logs (a)–(f) all converge to the leader's.
    @Test
    void leaderSyncFollowerLog() {
        long[] leaderLog = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
        long[][] followers = {
            {1, 1, 1, 4, 4, 5, 5, 6, 6},
            {1, 1, 1, 4},
            {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},
            {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},
            {1, 1, 1, 4, 4, 4, 4},
            {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},
        };
        for (long[] follower : followers) {
            InteractionEnv env = new InteractionEnv();
            MemoryRaftStorage ls = storage(ids(1, 2, 3), leaderLog);
            ls.setHardState(new HardState(7, 0, 0));
            MemoryRaftStorage fs = storage(ids(1, 2, 3), follower);
            fs.setHardState(new HardState(7, 0, 0));
            MemoryRaftStorage third = storage(ids(1, 2, 3));
            third.setHardState(new HardState(7, 0, 0));
            env.nodes.put(1L, new InteractionEnv.Node(1, config(1).build(), ls));
            env.nodes.put(2L, new InteractionEnv.Node(2, config(2).build(), fs));
            env.nodes.put(3L, new InteractionEnv.Node(3, config(3).build(), third));
            env.node(1).rawNode.campaign();
            env.stabilize();
            // the third (empty) node votes for the leader; the follower may or may not
            assertEquals(StateRole.LEADER, env.node(1).raft().state, "leader elected for follower log");
            List<Entry> want = env.node(1).storage.entries(1, env.node(1).storage.lastIndex() + 1, Long.MAX_VALUE);
            List<Entry> got = env.node(2).storage.entries(1, env.node(2).storage.lastIndex() + 1, Long.MAX_VALUE);
            assertEquals(want, got, "follower log converged to the leader's");
        }
    }

    // Raft §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the
    // candidate": compare the last terms; with equal last terms, the longer log is more up-to-date.
    @Test
    void voteRequestLogCheck() {
        record Case(long lastTerm, long lastIndex, boolean reject) {}
        for (Case c : List.of(new Case(2, 2, false), new Case(2, 3, false), new Case(3, 1, false),
                new Case(2, 1, true), new Case(1, 5, true))) {
            MemoryRaftStorage s = storage(ids(1, 2, 3), 1, 2);
            s.setHardState(new HardState(2, 0, 0));
            Raft r = newRaft(1, 10, 1, s);
            r.step(msg(MessageType.VOTE, 2, 1, 3).logTerm(c.lastTerm()).index(c.lastIndex()).build());
            List<Message> msgs = readMessages(r);
            assertEquals(1, msgs.size());
            assertEquals(c.reject(), msgs.get(0).reject(), "vote for a log ending at (" + c.lastTerm() + ", "
                    + c.lastIndex() + ") against ours ending at (2, 2)");
        }
    }

    // Raft §5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only
    // log entries from the leader's current term are committed by counting replicas; once an entry
    // from the current term has been committed ... all prior entries are committed indirectly."
    @Test
    void leaderOnlyCommitsLogFromCurrentTerm() {
        MemoryRaftStorage s = storage(ids(1, 2, 3), 1, 2);
        s.setHardState(new HardState(2, 0, 0));
        Raft r = newRaft(1, 10, 1, s);
        r.becomeCandidate(); // term 3
        r.becomeLeader(); // appends the no-op at index 3
        readMessages(r);
        // A majority holds entry 2 (term 2): that alone must not commit it.
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(2).build());
        assertEquals(0, r.raftLog.committed, "an entry of an earlier term is not committed by counting");
        // Once the no-op of term 3 is on a majority, it commits, and entry 2 with it.
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(3).build());
        assertEquals(3, r.raftLog.committed);
    }

    // Raft §5.4.1 (election restriction): a candidate with an out-of-date log cannot win.
    @Test
    void candidateWithStaleLogLoses() {
        InteractionEnv env = new InteractionEnv();
        long[][] logs = {{1}, {1, 1}, {1, 1}};
        for (int i = 0; i < 3; i++) {
            MemoryRaftStorage st = storage(ids(1, 2, 3), logs[i]);
            st.setHardState(new HardState(1, 0, 0));
            env.nodes.put(i + 1L, new InteractionEnv.Node(i + 1, config(i + 1).build(), st));
        }
        env.node(1).rawNode.campaign();
        env.stabilize();
        assertNotEquals(StateRole.LEADER, env.node(1).raft().state, "node 1 lacks entry 2 and must not win");
    }

    // Raft §5.3: "Once a follower learns that a log entry is committed, it applies the entry to
    // its local state machine": the follower's commit index follows the leader's, bounded by
    // what it holds.
    @Test
    void followerCommitEntry() {
        record Case(int entries, long commit) {}
        for (Case c : List.of(new Case(1, 1), new Case(2, 2), new Case(2, 1))) {
            Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
            r.becomeFollower(1, 2);
            String[] datas = new String[c.entries()];
            java.util.Arrays.fill(datas, "d");
            r.step(msg(MessageType.APP, 2, 1, 1).logTerm(0).index(0).entries(entries(1, 1, datas)).commit(c.commit()).build());
            assertEquals(c.commit(), r.raftLog.committed);
            assertEquals(c.commit(), r.raftLog.nextCommittedEntries().size(), "entries to apply");
        }
    }

    // Raft §5.3: "When the leader commits an entry it also commits all preceding entries in its
    // log, including entries created by previous leaders."
    @Test
    void leaderCommitPrecedingEntries() {
        MemoryRaftStorage s = storage(ids(1, 2, 3), 1, 2, 2);
        s.setHardState(new HardState(2, 0, 0));
        Raft r = newRaft(1, 10, 1, s);
        electLeader(r); // term 3, no-op at 4
        r.step(propose(1, "some data"));
        for (Message m : readMessages(r)) {
            if (m.type() == MessageType.APP) {
                r.step(Message.builder(MessageType.APP_RESP).from(m.to()).to(1).term(r.term).index(5).build());
            }
        }
        assertEquals(5, r.raftLog.committed);
        List<Entry> committed = r.raftLog.nextCommittedEntries();
        assertEquals(5, committed.size(), "entries of terms 1 and 2 commit with the entry of term 3");
        assertEquals(List.of(1L, 2L, 2L, 3L, 3L), committed.stream().map(Entry::term).toList());
    }

    // Raft §5.2: "Once a candidate wins an election, it becomes leader. It then sends heartbeat
    // messages to all of the other servers to establish its authority"; §8: the new leader's first
    // AppendEntries carries a blank entry of its term, so it learns what is committed.
    @Test
    void newLeaderAnnouncesItselfWithANoop() {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
        r.step(hup(1));
        readMessages(r);
        r.step(msg(MessageType.VOTE_RESP, 2, 1, 1).build());
        assertEquals(StateRole.LEADER, r.state);
        List<Message> msgs = readMessages(r);
        assertEquals(Set.of(2L, 3L), Set.copyOf(msgs.stream().map(Message::to).toList()));
        for (Message m : msgs) {
            assertEquals(MessageType.APP, m.type());
            assertEquals(List.of(Entry.empty(1, 1)), m.entries(), "a blank entry of the new term");
        }
    }

    // Raft §5.2 (Figure 2, rules for followers): the election timer restarts when the follower
    // grants a vote, not only when it hears from a leader.
    @Test
    void grantingAVoteResetsTheElectionTimer() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        s.setHardState(new HardState(1, 0, 0)); // the vote request below is of our own term
        Raft r = newRaft(1, 10, 1, s);
        int timeout = r.randomizedElectionTimeout;
        for (int i = 0; i < timeout - 1; i++) {
            r.tick();
        }
        r.step(msg(MessageType.VOTE, 2, 1, 1).build());
        for (int i = 0; i < timeout - 1; i++) {
            r.tick();
        }
        assertEquals(StateRole.FOLLOWER, r.state, "the vote restarted the timer");
        assertEquals(2, r.vote);
    }

    // Raft §5.5: "Raft RPCs are idempotent": a follower receiving the same AppendEntries twice
    // answers the same way and its log is unchanged by the repeat.
    @Test
    void appendEntriesIsIdempotent() {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2, 3)));
        r.becomeFollower(1, 2);
        Message app = msg(MessageType.APP, 2, 1, 1).index(0).logTerm(0).entries(entries(1, 1, "a", "b")).build();
        r.step(app);
        List<Message> first = readMessages(r);
        List<Entry> logAfterFirst = r.raftLog.slice(1, r.raftLog.lastIndex() + 1, Long.MAX_VALUE);
        r.step(app);
        assertEquals(first, readMessages(r));
        assertEquals(logAfterFirst, r.raftLog.slice(1, r.raftLog.lastIndex() + 1, Long.MAX_VALUE));
    }

    private static void commitNoopEntry(Raft r, MemoryRaftStorage s) {
        r.bcastAppend();
        for (Message m : readMessages(r)) {
            if (m.type() == MessageType.APP) {
                r.step(acceptAndReply(m));
            }
        }
        readMessages(r);
        persist(r, s);
        r.raftLog.appliedTo(r.raftLog.committed);
    }

    private static Message acceptAndReply(Message m) {
        long last = m.index() + m.entries().size();
        return Message.builder(MessageType.APP_RESP).from(m.to()).to(m.from()).term(m.term()).index(last).build();
    }
}
