package io.cairn.raft;

import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Two majority configs that must both agree (joint consensus, Raft paper §6). When not joint,
 * {@code outgoing} is empty and agrees with everything.
 */
record JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {

    static final JointConfig EMPTY = new JointConfig(MajorityConfig.EMPTY, MajorityConfig.EMPTY);

    long committedIndex(LongUnaryOperator acked) {
        return committedIndex(acked, new long[0]);
    }

    /** As {@link #committedIndex(LongUnaryOperator)}, sorting in {@code scratch} if it is large enough. */
    long committedIndex(LongUnaryOperator acked, long[] scratch) {
        long in = incoming.committedIndex(acked, scratch);
        long out = outgoing.committedIndex(acked, scratch);
        return Math.min(in, out);
    }

    VoteResult voteResult(Map<Long, Boolean> votes) {
        VoteResult in = incoming.voteResult(votes);
        VoteResult out = outgoing.voteResult(votes);
        if (in == out) {
            return in;
        }
        if (in == VoteResult.LOST || out == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    boolean isJoint() {
        return !outgoing.ids().isEmpty();
    }

    boolean contains(long id) {
        return incoming.ids().contains(id) || outgoing.ids().contains(id);
    }
}
