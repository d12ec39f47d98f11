package io.cairn.raft;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;

/** A set of voters that decides by simple majority (Raft §5.2, §5.3). */
record MajorityConfig(Set<Long> ids) {

    static final MajorityConfig EMPTY = new MajorityConfig(Set.of());

    MajorityConfig {
        ids = Collections.unmodifiableSortedSet(new TreeSet<>(ids));
    }

    /**
     * The highest index that a majority has acknowledged, given each voter's acked index
     * ({@code acked} returns 0 for a voter not heard from). An empty config returns
     * {@link Long#MAX_VALUE} so that it does not restrict a joint config.
     */
    long committedIndex(LongUnaryOperator acked) {
        return committedIndex(acked, new long[ids.size()]);
    }

    /**
     * As {@link #committedIndex(LongUnaryOperator)}, sorting in {@code scratch} when it holds at
     * least one slot per voter (the leader asks on every acknowledgement: no array per ask).
     */
    long committedIndex(LongUnaryOperator acked, long[] scratch) {
        int n = ids.size();
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        long[] values = scratch.length >= n ? scratch : new long[n];
        int i = 0;
        for (long id : ids) {
            values[i++] = acked.applyAsLong(id);
        }
        Arrays.sort(values, 0, n);
        // values ascending; the quorum-th largest sits at position n - (n/2 + 1).
        return values[n - (n / 2 + 1)];
    }

    /** The result of counting {@code votes} (true = granted); voters missing from the map have not answered. */
    VoteResult voteResult(Map<Long, Boolean> votes) {
        if (ids.isEmpty()) {
            return VoteResult.WON; // an empty config agrees with everything, so joint configs work
        }
        int granted = 0;
        int missing = 0;
        for (long id : ids) {
            Boolean v = votes.get(id);
            if (v == null) {
                missing++;
            } else if (v) {
                granted++;
            }
        }
        int quorum = ids.size() / 2 + 1;
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (granted + missing >= quorum) {
            return VoteResult.PENDING;
        }
        return VoteResult.LOST;
    }
}
