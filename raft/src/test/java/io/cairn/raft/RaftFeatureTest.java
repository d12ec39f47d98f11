package io.cairn.raft;

import static io.cairn.raft.RaftTestUtil.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Features beyond the paper's core: pre-vote, check-quorum, learners, transfer, limits, API contract. */
class RaftFeatureTest {

    private static InteractionEnv cluster(int n, java.util.function.Consumer<InteractionEnv.NodeOptions> tune) {
        InteractionEnv env = new InteractionEnv();
        InteractionEnv.NodeOptions o = new InteractionEnv.NodeOptions();
        long[] voters = new long[n];
        for (int i = 0; i < n; i++) {
            voters[i] = i + 1;
        }
        o.confState = ConfState.ofVoters(voters);
        tune.accept(o);
        env.addNodes(n, o);
        return env;
    }

    private static InteractionEnv elected(int n, java.util.function.Consumer<InteractionEnv.NodeOptions> tune) {
        InteractionEnv env = cluster(n, tune);
        env.node(1).rawNode.campaign();
        env.stabilize();
        assertEquals(StateRole.LEADER, env.node(1).raft().state);
        return env;
    }

    // Thesis §9.6: a pre-candidate that wins the pre-vote then runs a real election at term + 1.
    @Test
    void preVoteThenElection() {
        Raft r = newRaft(config(1).preVote(true).build(), storage(ids(1, 2, 3)));
        r.step(hup(1));
        assertEquals(StateRole.PRE_CANDIDATE, r.state);
        assertEquals(0, r.term, "a pre-candidate keeps its term");
        List<Message> pre = readMessages(r);
        assertEquals(2, pre.size());
        pre.forEach(m -> assertEquals(MessageType.PRE_VOTE, m.type()));
        pre.forEach(m -> assertEquals(1, m.term(), "the pre-vote names the next term"));
        r.step(msg(MessageType.PRE_VOTE_RESP, 2, 1, 1).build());
        assertEquals(StateRole.CANDIDATE, r.state);
        assertEquals(1, r.term);
        readMessages(r).forEach(m -> assertEquals(MessageType.VOTE, m.type()));
    }

    // Thesis §9.6: granting a pre-vote changes neither the voter's term nor its vote.
    @Test
    void preVoteGrantLeavesVoterUnchanged() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        s.setHardState(new HardState(3, 0, 0));
        Raft r = newRaft(config(1).preVote(true).build(), s);
        r.step(msg(MessageType.PRE_VOTE, 2, 1, 4).build());
        List<Message> out = readMessages(r);
        assertEquals(1, out.size());
        assertFalse(out.get(0).reject());
        assertEquals(3, r.term);
        assertEquals(0, r.vote);
    }

    // Thesis §6.2: a leader without a responsive quorum for an election timeout steps down.
    @Test
    void checkQuorumStepsDownIsolatedLeader() {
        InteractionEnv env = elected(3, o -> o.checkQuorum = true);
        for (int i = 0; i < 2 * 10; i++) {
            env.node(1).rawNode.tick();
        }
        assertEquals(StateRole.FOLLOWER, env.node(1).raft().state);
        assertEquals(0, env.node(1).raft().lead);
    }

    // A leader that keeps hearing from a quorum stays leader under check-quorum.
    @Test
    void checkQuorumKeepsConnectedLeader() {
        InteractionEnv env = elected(3, o -> o.checkQuorum = true);
        for (int i = 0; i < 50; i++) {
            env.node(1).rawNode.tick();
            env.stabilize();
        }
        assertEquals(StateRole.LEADER, env.node(1).raft().state);
    }

    // With check-quorum or pre-vote, a stale leader's append is answered so it learns the new term.
    @Test
    void staleLeaderLearnsNewTerm() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        s.setHardState(new HardState(5, 0, 0));
        Raft r = newRaft(config(1).checkQuorum(true).build(), s);
        r.step(msg(MessageType.APP, 2, 1, 3).build());
        List<Message> out = readMessages(r);
        assertEquals(1, out.size());
        assertEquals(MessageType.APP_RESP, out.get(0).type());
        assertEquals(5, out.get(0).term());
    }

    // A learner never campaigns, but it does answer vote requests (it may have been promoted
    // without knowing yet).
    @Test
    void learnerDoesNotCampaignButVotes() {
        MemoryRaftStorage s = MemoryRaftStorage.withConfState(ConfState.of(List.of(1L, 2L), List.of(3L)));
        Raft r = newRaft(3, 10, 1, s);
        for (int i = 0; i < 100; i++) {
            r.tick();
        }
        assertEquals(StateRole.FOLLOWER, r.state);
        assertEquals(0, r.term);
        readMessages(r);
        r.step(msg(MessageType.VOTE, 1, 3, 1).build());
        List<Message> out = readMessages(r);
        assertEquals(1, out.size());
        assertFalse(out.get(0).reject());
    }

    // A leader that demotes itself keeps leading until it has handed over to an up-to-date voter.
    @Test
    void demotedLeaderHandsOver() {
        InteractionEnv env = elected(3, o -> { });
        env.node(1).rawNode.proposeConfChange(ConfChange.addLearner(1));
        env.stabilize();
        long leaders = env.nodes.values().stream().filter(n -> n.raft().state == StateRole.LEADER).count();
        assertEquals(1, leaders);
        assertNotEquals(StateRole.LEADER, env.node(1).raft().state, "the learner is not leader any more");
        long lead = env.node(2).raft().lead;
        assertTrue(lead == 2 || lead == 3, "a voter leads: " + lead);
        assertEquals(ConfState.of(List.of(2L, 3L), List.of(1L)), env.node(lead).rawNode.status().config());
    }

    // Thesis §3.10: transfer to a learner is ignored; an unfinished transfer is abandoned after
    // an election timeout and proposals resume.
    @Test
    void transferToLearnerIgnoredAndStalledTransferAbandoned() {
        InteractionEnv env = cluster(3, o -> o.confState = ConfState.of(List.of(1L, 2L), List.of(3L)));
        env.node(1).rawNode.campaign();
        env.stabilize();
        RawNode leader = env.node(1).rawNode;
        leader.transferLeader(3);
        assertEquals(0, leader.status().leadTransferee(), "transfer to a learner is ignored");
        env.node(1).rawNode.propose(InteractionEnv.bytes("x"));
        env.processReady(1);
        env.dropMessages(1, 2); // node 2 misses the entry, so the transfer must wait for it
        leader.transferLeader(2);
        assertEquals(2, leader.status().leadTransferee());
        ProposalDroppedException e = assertThrows(ProposalDroppedException.class,
                () -> leader.propose(InteractionEnv.bytes("y")));
        assertEquals(ProposalDroppedException.Reason.LEADER_TRANSFER_IN_PROGRESS, e.reason());
        for (int i = 0; i < 10; i++) {
            leader.tick();
        }
        assertEquals(0, leader.status().leadTransferee(), "abandoned after an election timeout");
        leader.propose(InteractionEnv.bytes("z"));
    }

    @Test
    void followerWithForwardingDisabledRefuses() {
        InteractionEnv env = elected(3, o -> o.disableForwarding = true);
        ProposalDroppedException e = assertThrows(ProposalDroppedException.class,
                () -> env.node(2).rawNode.propose(InteractionEnv.bytes("x")));
        assertEquals(ProposalDroppedException.Reason.FORWARDING_DISABLED, e.reason());
        assertTrue(e.getMessage().contains("leader is 1"), e.getMessage());
    }

    // Replicate state pipelines appends but never more than maxInflightMsgs unacknowledged.
    @Test
    void inflightMessageLimit() {
        InteractionEnv env = elected(3, o -> o.maxInflightMsgs = 2);
        RawNode leader = env.node(1).rawNode;
        for (int i = 0; i < 5; i++) {
            leader.propose(InteractionEnv.bytes("e" + i));
            env.processReady(1); // each Ready flushes one append per follower
        }
        long toTwo = env.inFlight.stream().filter(m -> m.to() == 2 && m.type() == MessageType.APP).count();
        assertEquals(2, toTwo, "appends in flight to node 2: " + env.inFlight);
        assertEquals(2, leader.status().progress().get(2L).inflightMessages());
        env.stabilize();
        assertEquals(env.node(1).raft().raftLog.lastIndex(), env.node(2).raft().raftLog.lastIndex(), "caught up after acks");
    }

    // The byte limit on in-flight appends.
    @Test
    void inflightByteLimit() {
        InteractionEnv env = elected(3, o -> {
            o.maxSizePerMsg = 100;
            o.maxInflightBytes = 200;
        });
        RawNode leader = env.node(1).rawNode;
        for (int i = 0; i < 6; i++) {
            leader.propose(new byte[60]); // 84 bytes each with overhead, so one per message
        }
        env.processReady(1);
        long toTwo = env.inFlight.stream().filter(m -> m.to() == 2 && m.type() == MessageType.APP).count();
        assertEquals(3, toTwo, "84 + 84 < 200, a third reaches 252 and fills the window");
        assertTrue(leader.status().progress().get(2L).inflightBytes() >= 200);
    }

    // A single voter commits its own proposals at once and serves reads without a round trip.
    @Test
    void singleNodeCluster() {
        InteractionEnv env = cluster(1, o -> { });
        RawNode n = env.node(1).rawNode;
        n.campaign();
        assertEquals(StateRole.LEADER, env.node(1).raft().state);
        env.processReady(1);
        n.propose(InteractionEnv.bytes("solo"));
        Ready rd = n.ready();
        assertEquals(1, rd.entries().size());
        assertEquals(rd.entries(), rd.committedEntries(), "committed in the same Ready it is persisted in");
        assertTrue(rd.messages().isEmpty());
        n.advance(rd);
        n.readIndex(InteractionEnv.bytes("r"));
        Ready rd2 = n.ready();
        assertEquals(List.of(new ReadState(2, InteractionEnv.bytes("r"))), rd2.readStates());
        n.advance(rd2);
    }

    // Committed entries are handed out in Readys of bounded size, in order, none lost.
    @Test
    void committedEntriesPerReadyAreBounded() {
        MemoryRaftStorage s = MemoryRaftStorage.withVoters(1);
        RawNode n = new RawNode(config(1).maxSizePerMsg(1000).maxCommittedSizePerReady(100).build(), s);
        n.campaign();
        Ready first = n.ready();
        s.append(first.entries());
        n.advance(first);
        for (int i = 0; i < 5; i++) {
            n.propose(new byte[40]); // 64 bytes each with overhead
        }
        List<Long> applied = new java.util.ArrayList<>();
        int readys = 0;
        while (n.hasReady()) {
            Ready rd = n.ready();
            s.append(rd.entries());
            if (rd.hardState() != null) {
                s.setHardState(rd.hardState());
            }
            long bytes = rd.committedEntries().stream().mapToLong(Entry::sizeBytes).sum();
            assertTrue(rd.committedEntries().size() <= 1 || bytes <= 100, "Ready with " + bytes + " bytes committed");
            rd.committedEntries().forEach(e -> applied.add(e.index()));
            n.advance(rd);
            readys++;
        }
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L), applied, "all applied, in order, once");
        assertTrue(readys >= 5, "split over several Readys: " + readys);
        assertFalse(n.hasReady(), "nothing left");
    }

    // Thesis §6.4: a new leader answers read indexes only once it has committed an entry of its term.
    @Test
    void readIndexWaitsForCommitInTerm() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        Raft r = newRaft(1, 10, 1, s);
        electLeader(r);
        readMessages(r);
        r.step(Message.builder(MessageType.READ_INDEX).from(1).context(InteractionEnv.bytes("q")).build());
        assertTrue(readMessages(r).isEmpty(), "no heartbeat round before the no-op commits");
        r.step(msg(MessageType.APP_RESP, 2, 1, r.term).index(1).build());
        List<Message> out = readMessages(r);
        assertTrue(out.stream().anyMatch(m -> m.type() == MessageType.HEARTBEAT
                && new String(m.context(), java.nio.charset.StandardCharsets.UTF_8).equals("q")), out.toString());
    }

    // A node does not campaign while a committed conf change is unapplied (it may not be a voter).
    @Test
    void noCampaignWithUnappliedConfChange() {
        MemoryRaftStorage s = storage(ids(1, 2, 3));
        s.append(List.of(new Entry(1, 1, EntryType.CONF_CHANGE, RaftCodec.encodeConfChange(ConfChange.remove(1)))));
        s.setHardState(new HardState(1, 0, 1));
        Raft r = newRaft(1, 10, 1, s);
        r.step(hup(1));
        assertEquals(StateRole.FOLLOWER, r.state);
        r.raftLog.appliedTo(1);
        r.step(hup(1));
        assertEquals(StateRole.CANDIDATE, r.state);
    }

    // A restarted node resumes from storage: term, vote, commit, log.
    @Test
    void restartFromStorage() {
        InteractionEnv env = elected(3, o -> { });
        env.node(1).rawNode.propose(InteractionEnv.bytes("kept"));
        env.stabilize();
        InteractionEnv.Node n2 = env.node(2);
        RawNode restarted = new RawNode(n2.config, n2.storage);
        Status st = restarted.status();
        assertEquals(n2.rawNode.status().hardState(), st.hardState());
        assertEquals(StateRole.FOLLOWER, st.softState().role());
        assertEquals(ConfState.ofVoters(1, 2, 3), st.config());
        assertEquals(2, restarted.raft().raftLog.lastIndex());
    }

    @Test
    void readyContractIsEnforced() {
        InteractionEnv env = cluster(3, o -> { });
        RawNode n = env.node(1).rawNode;
        n.campaign();
        Ready rd = n.ready();
        assertThrows(IllegalStateException.class, n::ready, "a second ready() before advance()");
        assertFalse(n.hasReady(), "nothing is ready while a Ready is outstanding");
        Ready other = new Ready(null, null, List.of(), List.of(), null, List.of(), List.of(), false);
        assertThrows(IllegalArgumentException.class, () -> n.advance(other));
        n.advance(rd);
        assertThrows(IllegalArgumentException.class, () -> n.advance(rd), "advancing twice");
        assertThrows(IllegalArgumentException.class, () -> n.step(Message.builder(MessageType.HUP).to(1).build()));
        assertThrows(IllegalArgumentException.class,
                () -> n.step(Message.builder(MessageType.APP).from(2).to(3).term(1).build()));
        // Ready fields obey the documented ordering: the vote is in the hard state to persist
        // before the vote requests are sent.
        assertEquals(1, rd.hardState().vote());
        assertTrue(rd.mustSync());
        assertEquals(2, rd.messages().size());
    }

    // Bootstrapped membership lives in the log: a node added later learns it by replaying the log
    // from index 1, without a snapshot.
    @Test
    void bootstrapPutsMembershipInTheLog() {
        InteractionEnv env = new InteractionEnv();
        for (long id = 1; id <= 4; id++) {
            env.nodes.put(id, new InteractionEnv.Node(id, config(id).build(), new MemoryRaftStorage()));
        }
        for (long id = 1; id <= 3; id++) {
            env.node(id).rawNode.bootstrap(List.of(3L, 1L, 2L));
        }
        assertThrows(IllegalStateException.class, () -> env.node(1).rawNode.bootstrap(List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> env.node(4).rawNode.bootstrap(List.of(4L, 4L)));
        env.stabilize();
        env.node(1).rawNode.campaign();
        env.stabilize();
        assertEquals(StateRole.LEADER, env.node(1).raft().state);
        env.node(1).rawNode.proposeConfChange(ConfChange.addLearner(4));
        env.stabilize();
        assertEquals(ConfState.of(List.of(1L, 2L, 3L), List.of(4L)), env.node(4).confState,
                "the new node replayed the bootstrap entries and the change");
        env.node(1).rawNode.proposeConfChange(ConfChange.addVoter(4));
        env.stabilize();
        env.node(1).rawNode.transferLeader(4);
        env.stabilize();
        assertEquals(StateRole.LEADER, env.node(4).raft().state, "the joined node can lead");
        assertEquals(ConfState.ofVoters(1, 2, 3, 4), env.node(2).confState);
    }

    @Test
    void malformedInputIsRefusedClearly() {
        InteractionEnv env = elected(3, o -> { });
        RawNode follower = env.node(2).rawNode;
        long before = env.node(2).raft().raftLog.lastIndex();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> follower.step(
                msg(MessageType.APP, 1, 2, 1).index(1).logTerm(1).entries(List.of(Entry.empty(1, 5))).build()));
        assertTrue(e.getMessage().contains("consecutively"), e.getMessage());
        assertEquals(before, env.node(2).raft().raftLog.lastIndex());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> follower.step(
                Message.builder(MessageType.HEARTBEAT).from(1).to(2).build())).getMessage().contains("without a term"));
        // An undecodable conf change forwarded to the leader is dropped, not appended.
        long last = env.node(1).raft().raftLog.lastIndex();
        env.node(1).rawNode.step(Message.builder(MessageType.PROP).from(2).to(1)
                .entries(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, new byte[] {1, 2}))).build());
        assertEquals(last, env.node(1).raft().raftLog.lastIndex());
    }

    @Test
    void configValidationNamesTheProblem() {
        SplittableRandom r = new SplittableRandom(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RaftConfig.builder(0, r).build())
                .getMessage().contains("id must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RaftConfig.builder(1, r).electionTick(2).heartbeatTick(2).build())
                .getMessage().contains("electionTick (2) must be greater than heartbeatTick (2)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RaftConfig.builder(1, r).readOnlyOption(ReadOnlyOption.LEASE_BASED).build())
                .getMessage().contains("requires checkQuorum"));
        assertTrue(assertThrows(NullPointerException.class, () -> RaftConfig.builder(1, null).build())
                .getMessage().contains("random"));
    }

    @Test
    void confChangerRefusesUnsafeChanges() {
        ProgressTracker t = new ProgressTracker(4, 0);
        ConfChanger.Result r = ConfChanger.restore(t, 0, ConfState.ofVoters(1, 2, 3));
        t.config = r.config();
        t.progress = r.progress();
        assertTrue(assertThrows(RaftException.class, () -> new ConfChanger(t, 0).simple(List.of(
                new ConfChangeSingle(ConfChangeType.ADD_VOTER, 4), new ConfChangeSingle(ConfChangeType.REMOVE, 1))))
                .getMessage().contains("more than one voter"));
        assertTrue(assertThrows(RaftException.class, () -> new ConfChanger(t, 0).leaveJoint())
                .getMessage().contains("when not joint"));
        assertTrue(assertThrows(RaftException.class, () -> new ConfChanger(t, 0).enterJoint(true, List.of(
                new ConfChangeSingle(ConfChangeType.REMOVE, 1), new ConfChangeSingle(ConfChangeType.REMOVE, 2),
                new ConfChangeSingle(ConfChangeType.REMOVE, 3)))).getMessage().contains("removes all voters"));
        assertEquals(ConfState.ofVoters(1, 2, 3), t.confState(), "failed changes leave the configuration alone");
        // A voter demoted inside a joint config waits in learnersNext until the leave.
        ConfChanger.Result joint = new ConfChanger(t, 0).enterJoint(false, List.of(
                new ConfChangeSingle(ConfChangeType.ADD_LEARNER, 3), new ConfChangeSingle(ConfChangeType.ADD_VOTER, 4)));
        assertEquals(new ConfState(Set.of(1L, 2L, 4L), Set.of(), Set.of(1L, 2L, 3L), Set.of(3L), false),
                joint.config().toConfState());
        t.config = joint.config();
        t.progress = joint.progress();
        assertEquals(ConfState.of(List.of(1L, 2L, 4L), List.of(3L)), new ConfChanger(t, 0).leaveJoint().config().toConfState());
    }

    @Test
    void memoryStorageContract() {
        MemoryRaftStorage s = storage(ids(1), 1, 1, 2, 2);
        assertEquals(1, s.firstIndex());
        assertEquals(4, s.lastIndex());
        assertEquals(2, s.entries(1, 5, 2 * Entry.OVERHEAD_BYTES).size(), "size-limited");
        assertEquals(1, s.entries(1, 5, 0).size(), "at least one entry");
        s.createSnapshot(2, ConfState.ofVoters(1), new byte[0]);
        s.compact(2);
        assertEquals(3, s.firstIndex());
        assertEquals(1, s.term(2), "the snapshot's term still answers");
        assertEquals(RaftStorageException.Reason.COMPACTED,
                assertThrows(RaftStorageException.class, () -> s.entries(2, 3, 100)).reason());
        assertEquals(RaftStorageException.Reason.UNAVAILABLE,
                assertThrows(RaftStorageException.class, () -> s.term(5)).reason());
        s.append(List.of(Entry.empty(3, 4), Entry.empty(3, 5)));
        assertEquals(5, s.lastIndex());
        assertEquals(3, s.term(4), "a conflicting suffix is replaced");
        assertThrows(IllegalArgumentException.class, () -> s.append(List.of(Entry.empty(3, 9))));
        assertEquals(RaftStorageException.Reason.SNAPSHOT_OUT_OF_DATE, assertThrows(RaftStorageException.class,
                () -> s.applySnapshot(new Snapshot(new SnapshotMetadata(ConfState.ofVoters(1), 1, 1), new byte[0]))).reason());
    }
    // Commit facts (Raft.learnCommitFact): a vote refusal carries the refuser's commit index,
    // capped at the candidate's last index, with its term there. A candidate whose entry at that
    // index has that term commits up to it (Log Matching: its prefix is the committed one); one
    // whose entry differs, or that lacks it, learns nothing. The message's term does not matter.
    @Test
    void voteRefusalCarriesACommitFactTheCandidateLearnsOnlyIfItsEntryMatches() {
        // Node 1: log 1,1,2 committed through 3, not a voter any more (removed by a change it applied).
        MemoryRaftStorage s1 = MemoryRaftStorage.withConfState(ConfState.ofVoters(2, 3));
        s1.append(List.of(Entry.empty(1, 1), Entry.empty(1, 2), Entry.empty(2, 3)));
        s1.setHardState(new HardState(2, 0, 3));
        Raft r1 = newRaft(1, 10, 1, s1);
        // Node 2: log 1,1 (committed through 1) asks for a vote at term 3; node 1's log is longer.
        r1.step(msg(MessageType.VOTE, 2, 1, 3).index(2).logTerm(1).build());
        Message refusal = readMessages(r1).get(0);
        assertTrue(refusal.reject());
        assertEquals(2, refusal.commit(), "capped at the candidate's last index");
        assertEquals(1, refusal.logTerm());

        Raft candidate = newRaft(2, 10, 1, storage(ids(1, 2, 3), 1, 1));
        candidate.becomeCandidate();
        candidate.step(refusal);
        assertEquals(2, candidate.raftLog.committed, "entry 2 has term 1 here as at node 1");

        Raft diverged = newRaft(3, 10, 1, storage(ids(1, 2, 3), 1, 3));
        diverged.becomeCandidate();
        diverged.becomeCandidate(); // term 2, below the refusal's: still learns if it matched
        diverged.step(refusal.toBuilder().to(3).build());
        assertEquals(0, diverged.raftLog.committed, "entry 2 has term 3 here: not the committed one");

        Raft shorter = newRaft(3, 10, 1, storage(ids(1, 2, 3), 1));
        shorter.becomeCandidate();
        shorter.step(refusal.toBuilder().to(3).build());
        assertEquals(0, shorter.raftLog.committed, "no entry 2 here");

        Raft behind = newRaft(2, 10, 1, storage(ids(1, 2, 3), 1, 1));
        for (int i = 0; i < 5; i++) {
            behind.becomeCandidate(); // term 5: the refusal of term 3 is stale, the fact is not
        }
        behind.step(refusal);
        assertEquals(2, behind.raftLog.committed);
        assertEquals(5, behind.term, "a stale refusal changes nothing else");
    }

    // A granted vote carries a fact too (the candidate may lack our commit index: seed 22869), and
    // a heartbeat answer carries one only when the follower knows more than the heartbeat said.
    @Test
    void commitFactsGoWithEveryVoteAnswerAndWithHeartbeatAnswersThatKnowMore() {
        Raft r = newRaft(1, 10, 1, storage(ids(1, 2), 1, 1));
        r.raftLog.commitTo(2);
        r.step(msg(MessageType.VOTE, 2, 1, 2).index(2).logTerm(1).build());
        Message grant = readMessages(r).get(0);
        assertFalse(grant.reject());
        assertEquals(2, grant.commit());
        assertEquals(1, grant.logTerm());
        r.step(msg(MessageType.HEARTBEAT, 2, 1, 2).commit(2).build());
        assertEquals(0, readMessages(r).get(0).commit(), "the leader told us all we know");
        r.step(msg(MessageType.HEARTBEAT, 2, 1, 2).commit(1).build());
        Message answer = readMessages(r).get(0);
        assertEquals(2, answer.commit());
        assertEquals(1, answer.logTerm());
    }

    // A leader elected after an earlier leader committed an entry it holds, but whose own commit
    // index is behind (seed 6755: its joint configuration still needs a node that was removed by
    // that entry and is gone), learns the commit from a follower's heartbeat answer.
    @Test
    void leaderLearnsACommitFactFromAHeartbeatAnswer() {
        MemoryRaftStorage s1 = storage(ids(1, 2, 3), 1, 1);
        s1.setHardState(new HardState(1, 0, 1));
        Raft leader = newRaft(1, 10, 1, s1);
        electLeader(leader);
        readMessages(leader);
        leader.step(beat(1));
        Message heartbeat = readMessages(leader).get(0);
        assertEquals(0, heartbeat.commit(), "bounded by what the follower is known to hold");

        MemoryRaftStorage s2 = storage(ids(1, 2, 3), 1, 1);
        s2.setHardState(new HardState(2, 1, 2));
        Raft follower = newRaft(2, 10, 1, s2);
        follower.step(heartbeat);
        Message answer = readMessages(follower).get(0);
        assertEquals(MessageType.HEARTBEAT_RESP, answer.type());

        assertEquals(1, leader.raftLog.committed);
        leader.step(answer);
        assertEquals(2, leader.raftLog.committed);
        assertEquals(StateRole.LEADER, leader.state);
    }
    // Ready and Message hand out immutable lists: the engine's own (built once, not copied again)
    // refuse changes, and a caller's list is copied, so changing it later changes nothing.
    @Test
    void readyAndMessageListsAreImmutable() {
        InteractionEnv env = elected(3, o -> { });
        RawNode leader = env.node(1).rawNode;
        leader.propose(new byte[] {1});
        Ready rd = leader.ready();
        assertFalse(rd.entries().isEmpty());
        assertFalse(rd.messages().isEmpty());
        Message app = rd.messages().get(0);
        assertFalse(app.entries().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> rd.entries().add(Entry.empty(1, 1)));
        assertThrows(UnsupportedOperationException.class, () -> rd.messages().set(0, app));
        assertThrows(UnsupportedOperationException.class, () -> app.entries().remove(0));
        assertThrows(UnsupportedOperationException.class, () -> rd.entries().subList(0, 1).clear());
        assertEquals(List.copyOf(app.entries()), app.entries());
        leader.advance(rd);

        java.util.ArrayList<Entry> mine = new java.util.ArrayList<>(List.of(Entry.empty(1, 1)));
        Message m = msg(MessageType.APP, 1, 2, 1).entries(mine).build();
        mine.add(Entry.empty(1, 2));
        assertEquals(1, m.entries().size());
    }
    // A vote request carries the candidate's commit index with its last entry: a voter holding
    // that entry holds the candidate's committed prefix, and commits it (even from a stale request).
    @Test
    void voteRequestCarriesTheCandidatesCommitFact() {
        Raft voter = newRaft(2, 10, 1, storage(ids(1, 2, 3), 1, 1, 2));
        for (int i = 0; i < 5; i++) {
            voter.becomeCandidate(); // term 5
        }
        readMessages(voter);
        voter.step(msg(MessageType.VOTE, 1, 2, 3).index(3).logTerm(2).commit(3).build());
        assertEquals(3, voter.raftLog.committed);
        Message refusal = readMessages(voter).get(0);
        assertEquals(MessageType.VOTE_RESP, refusal.type());
        assertTrue(refusal.reject());
        assertEquals(5, refusal.term(), "a stale vote request is refused with our term");

        Raft other = newRaft(3, 10, 1, storage(ids(1, 2, 3), 1, 1, 3));
        other.step(msg(MessageType.VOTE, 1, 3, 4).index(3).logTerm(2).commit(3).build());
        assertEquals(0, other.raftLog.committed, "entry 3 has term 3 here: the prefix may differ");
    }

    // Raft §5.1: a server answers a request with a stale term with its own term, so a stale
    // leader or candidate learns it (with or without check-quorum and pre-vote).
    @Test
    void staleAppendIsAnsweredWithTheCurrentTerm() {
        Raft r = newRaft(2, 10, 1, storage(ids(1, 2, 3), 1));
        r.becomeFollower(7, 0);
        readMessages(r);
        r.step(msg(MessageType.APP, 1, 2, 3).index(1).logTerm(1).build());
        List<Message> out = readMessages(r);
        assertEquals(1, out.size());
        assertEquals(MessageType.APP_RESP, out.get(0).type());
        assertEquals(7, out.get(0).term());
        assertEquals(7, r.term);
    }
}
