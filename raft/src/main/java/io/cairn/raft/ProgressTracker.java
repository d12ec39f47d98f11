package io.cairn.raft;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/** The leader's (and candidate's) bookkeeping: membership, per-peer {@link Progress}, and votes. */
final class ProgressTracker {
    TrackerConfig config = TrackerConfig.EMPTY;
    /** One entry per voter (incoming or outgoing) and learner; sorted so that iteration is deterministic. */
    TreeMap<Long, Progress> progress = new TreeMap<>();
    /** Votes received in the current election: true = granted. */
    final TreeMap<Long, Boolean> votes = new TreeMap<>();
    final int maxInflight;
    final long maxInflightBytes;

    ProgressTracker(int maxInflight, long maxInflightBytes) {
        this.maxInflight = maxInflight;
        this.maxInflightBytes = maxInflightBytes;
    }

    ConfState confState() {
        return config.toConfState();
    }

    /**
     * Whether {@code self} is the one and only voter, so it is its own quorum. A leader that was
     * demoted or removed (and still leads until it hands over) is not: the single voter is another node.
     */
    boolean isSingletonOf(long self) {
        return !config.voters().isJoint() && config.voters().incoming().ids().equals(java.util.Set.of(self));
    }

    /** Each voter's acknowledged index, for {@link #committed()}. */
    private final LongUnaryOperator matchOf = id -> {
        Progress pr = progress.get(id);
        return pr == null ? 0 : pr.match;
    };
    /** Sorting space for {@link #committed()}, grown to the largest half of a configuration. */
    private long[] commitScratch = new long[0];

    /** The highest index acknowledged by a quorum (of both halves when joint). */
    long committed() {
        JointConfig voters = config.voters();
        int largest = Math.max(voters.incoming().ids().size(), voters.outgoing().ids().size());
        if (commitScratch.length < largest) {
            commitScratch = new long[largest];
        }
        return voters.committedIndex(matchOf, commitScratch);
    }

    void visit(BiConsumer<Long, Progress> f) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            f.accept(e.getKey(), e.getValue());
        }
    }

    /** Whether a quorum of voters was recently active ({@code self} counts as active). */
    boolean quorumActive(long self) {
        TreeMap<Long, Boolean> active = new TreeMap<>();
        visit((id, pr) -> {
            if (!pr.isLearner) {
                active.put(id, pr.recentActive || id == self);
            }
        });
        return config.voters().voteResult(active) == VoteResult.WON;
    }

    /** All voters (incoming and outgoing), ascending. */
    TreeSet<Long> voterNodes() {
        TreeSet<Long> ids = new TreeSet<>(config.voters().incoming().ids());
        ids.addAll(config.voters().outgoing().ids());
        return ids;
    }

    void resetVotes() {
        votes.clear();
    }

    /** Records a vote; a second vote from the same node is ignored. */
    void recordVote(long id, boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    VoteResult voteResult() {
        return config.voters().voteResult(votes);
    }
}
