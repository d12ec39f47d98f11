package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A small randomized check of the engine inside the transcript harness: random ticks,
 * proposals, partitions, reordering, loss, duplication, log compaction, membership changes, transfers and
 * crash-restarts, with the Raft safety properties
 * checked after every event (the full deterministic simulator lives elsewhere; this is a quick
 * guard that runs in a second). Every failure names its seed.
 */
class RandomizedSafetyTest {

    /** Seeds 1..N, N from {@code -Draft.seeds=N} (default 12, about a second). */
    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, Long.getLong("raft.seeds", 12));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void safetyUnderLossReorderAndCompaction(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        InteractionEnv env = new InteractionEnv();
        InteractionEnv.NodeOptions o = new InteractionEnv.NodeOptions();
        int n = 3 + rnd.nextInt(3);
        long[] voters = new long[n];
        for (int i = 0; i < n; i++) {
            voters[i] = i + 1;
        }
        o.confState = ConfState.ofVoters(voters);
        o.preVote = rnd.nextBoolean();
        o.checkQuorum = rnd.nextBoolean();
        o.electionTick = 5;
        o.maxSizePerMsg = 64 + rnd.nextInt(200);
        o.maxInflightMsgs = 1 + rnd.nextInt(4);
        o.seed = seed;
        env.addNodes(n, o);
        String params = "seed=" + seed + " nodes=" + n + " prevote=" + o.preVote + " checkquorum=" + o.checkQuorum;

        Map<Long, Long> leaderOfTerm = new HashMap<>();
        // index -> entry applied by some node: all nodes must apply the same entry at an index.
        TreeMap<Long, Entry> appliedAt = new TreeMap<>();
        Map<Long, Integer> appliedSeen = new HashMap<>();
        int proposals = 0;
        Map<String, Long> readFloor = new HashMap<>();
        try {
            long isolated = 0;
            int isolatedUntil = 0;
            for (int step = 0; step < 3000; step++) {
                long id = 1 + rnd.nextInt(n);
                if (step >= isolatedUntil) {
                    // Partitions: now and then cut one node off for a while (stale leaders come from here).
                    isolated = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(n) : 0;
                    isolatedUntil = step + 100 + rnd.nextInt(300);
                }
                int action = rnd.nextInt(100);
                if (action < 25) {
                    env.tick(id, 1);
                } else if (action < 35) {
                    int p = proposals++;
                    env.attempt(() -> env.node(id).rawNode.propose(InteractionEnv.bytes("p" + p)));
                } else if (action < 60) {
                    if (env.hasReady(id)) {
                        env.processReady(id);
                    }
                } else if (action < 90) {
                    if (!env.inFlight.isEmpty()) {
                        // deliver a random held message: reorders freely
                        Message m = env.inFlight.remove(rnd.nextInt(env.inFlight.size()));
                        if (m.from() == isolated || m.to() == isolated) {
                            if (m.type() == MessageType.SNAP) {
                                env.node(m.from()).rawNode.reportSnapshot(m.to(), false);
                            }
                            continue;
                        }
                        if (rnd.nextInt(10) == 0) {
                            env.inFlight.add(m); // duplicate: deliver now and keep a copy
                        }
                        try {
                            env.node(m.to()).rawNode.step(m);
                        } catch (ProposalDroppedException e) {
                            // dropped forwarded proposal
                        }
                        if (m.type() == MessageType.SNAP) {
                            env.node(m.from()).rawNode.reportSnapshot(m.to(), true);
                        }
                    }
                } else if (action < 96) {
                    if (!env.inFlight.isEmpty()) {
                        Message m = env.inFlight.remove(rnd.nextInt(env.inFlight.size()));
                        if (m.type() == MessageType.SNAP) {
                            // The transport reports a snapshot it failed to deliver (Ready contract).
                            env.node(m.from()).rawNode.reportSnapshot(m.to(), false);
                        }
                    }
                } else if (action < 98) {
                    // membership, transfers and reads, all on random nodes
                    long target = 1 + rnd.nextInt(n);
                    switch (rnd.nextInt(4)) {
                        case 0 -> env.node(id).rawNode.transferLeader(target);
                        case 1 -> {
                            // Linearizable reads: the read index must cover everything any node has
                            // applied (so acknowledged) before the read was requested.
                            String ctx = "r" + step;
                            long appliedAnywhere = appliedAt.isEmpty() ? 0 : appliedAt.lastKey();
                            readFloor.put(ctx, appliedAnywhere);
                            env.attempt(() -> env.node(id).rawNode.readIndex(InteractionEnv.bytes(ctx)));
                        }
                        case 2 -> {
                            ConfChange cc = rnd.nextBoolean() ? ConfChange.addLearner(target) : ConfChange.addVoter(target);
                            env.attempt(() -> env.node(id).rawNode.proposeConfChange(cc));
                        }
                        default -> {
                            long other = 1 + rnd.nextInt(n);
                            ConfChange cc = ConfChange.joint(rnd.nextBoolean() ? ConfChangeTransition.JOINT_IMPLICIT
                                    : ConfChangeTransition.AUTO,
                                    new ConfChangeSingle(ConfChangeType.ADD_LEARNER, target),
                                    new ConfChangeSingle(ConfChangeType.ADD_VOTER, other));
                            env.attempt(() -> env.node(id).rawNode.proposeConfChange(cc));
                        }
                    }
                } else if (action < 99 && rnd.nextInt(3) == 0) {
                    // Crash and restart: everything not yet persisted through a Ready is lost; the
                    // state machine restarts from the snapshot and replays the log.
                    InteractionEnv.Node node = env.node(id);
                    node.rawNode = new RawNode(node.config, node.storage);
                    node.confState = node.storage.initialState().confState();
                } else {
                    InteractionEnv.Node node = env.node(id);
                    long applied = node.rawNode.status().applied();
                    if (applied > node.storage.firstIndex() && node.storage.lastIndex() >= applied) {
                        node.storage.createSnapshot(applied, node.confState, InteractionEnv.bytes("s"));
                        node.storage.compact(applied);
                    }
                }
                env.takeOutput();
                checkInvariants(env, leaderOfTerm, appliedAt, appliedSeen, params + " step=" + step);
                checkReads(env, readFloor, params + " step=" + step);
            }
            // Liveness: heal the network and let the cluster settle; a leader must emerge and
            // every node must apply the same log.
            for (int round = 0; round < 200; round++) {
                for (long id : env.nodes.keySet()) {
                    env.tick(id, 1);
                }
                env.stabilize();
                env.takeOutput();
                checkInvariants(env, leaderOfTerm, appliedAt, appliedSeen, params + " healing round=" + round);
                if (leaders(env) == 1 && allCaughtUp(env)) {
                    break;
                }
            }
            assertEquals(1, leaders(env), "one leader after healing:\n" + dump(env));
            assertTrue(allCaughtUp(env), "all nodes applied the leader's commit index after healing:\n" + dump(env));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("reproduce with " + params + ": " + e.getMessage(), e);
        }
    }

    private static void checkReads(InteractionEnv env, Map<String, Long> readFloor, String where) {
        for (InteractionEnv.Node node : env.nodes.values()) {
            for (ReadState rs : node.readStates) {
                String ctx = new String(rs.requestContext(), java.nio.charset.StandardCharsets.UTF_8);
                // The network duplicates messages, so a read may be answered twice; both must hold.
                Long floor = readFloor.get(ctx);
                assertNotNull(floor, where + ": node " + node.id + " got an answer to an unknown read " + ctx);
                assertTrue(rs.index() >= floor, where + ": read " + ctx + " got index " + rs.index()
                        + " but index " + floor + " was applied before it was requested");
            }
            node.readStates.clear();
        }
    }

    private static String dump(InteractionEnv env) {
        StringBuilder sb = new StringBuilder();
        for (InteractionEnv.Node node : env.nodes.values()) {
            Raft r = node.raft();
            sb.append(r.id).append(' ').append(r.state).append(" term=").append(r.term).append(" lead=").append(r.lead)
                    .append(' ').append(r.raftLog).append(" last=").append(r.raftLog.lastIndex())
                    .append(" first=").append(r.raftLog.firstIndex()).append(" conf=").append(r.trk.confState())
                    .append(" learner=").append(r.isLearner).append(" pendingConf=").append(r.pendingConfIndex)
                    .append(" appConf=").append(node.confState).append('\n');
            if (r.state == StateRole.LEADER) {
                r.trk.visit((id, pr) -> sb.append("  ").append(id).append(": ").append(pr).append('\n'));
            }
        }
        sb.append("in flight: ").append(env.inFlight);
        return sb.toString();
    }

    private static int leaders(InteractionEnv env) {
        int count = 0;
        for (InteractionEnv.Node node : env.nodes.values()) {
            if (node.raft().state == StateRole.LEADER) {
                count++;
            }
        }
        return count;
    }

    private static boolean allCaughtUp(InteractionEnv env) {
        long max = 0;
        for (InteractionEnv.Node node : env.nodes.values()) {
            max = Math.max(max, node.raft().raftLog.committed);
        }
        for (InteractionEnv.Node node : env.nodes.values()) {
            if (node.rawNode.status().applied() != max) {
                return false;
            }
        }
        return true;
    }

    private static void checkInvariants(InteractionEnv env, Map<Long, Long> leaderOfTerm, TreeMap<Long, Entry> appliedAt,
            Map<Long, Integer> appliedSeen, String where) {
        for (InteractionEnv.Node node : env.nodes.values()) {
            Raft r = node.raft();
            // Election safety (§5.2): at most one leader per term.
            if (r.state == StateRole.LEADER) {
                Long prev = leaderOfTerm.putIfAbsent(r.term, r.id);
                if (prev != null && prev != r.id) {
                    fail(where + ": two leaders in term " + r.term + ": " + prev + " and " + r.id);
                }
            }
            // Log invariants: applied <= committed <= last.
            RaftLog log = r.raftLog;
            assertTrue(log.applied <= log.committed && log.committed <= log.lastIndex(),
                    where + ": node " + r.id + " log " + log + " last=" + log.lastIndex());
            // State machine safety (§5.4.3): no two nodes apply different entries at one index.
            List<Entry> applied = node.applied;
            int from = appliedSeen.getOrDefault(node.id, 0);
            for (int i = from; i < applied.size(); i++) {
                Entry e = applied.get(i);
                Entry other = appliedAt.putIfAbsent(e.index(), e);
                if (other != null && !other.equals(e)) {
                    fail(where + ": node " + node.id + " applied " + e + " where another node applied " + other);
                }
            }
            appliedSeen.put(node.id, applied.size());
        }
    }
}
