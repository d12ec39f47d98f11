package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Quorum math against deliberately simple oracles, over many random cases from a fixed seed
 * (the shape of etcd's quorum/quick_test.go, without a property-testing library).
 */
class QuorumPropertyTest {
    private static final int CASES = 5000;

    /** Oracle: the largest index that at least a majority has acked, by trying every candidate. */
    static long oracleCommitted(Set<Long> ids, Map<Long, Long> acked) {
        if (ids.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long best = 0;
        for (long id : ids) {
            long candidate = acked.getOrDefault(id, 0L);
            int count = 0;
            for (long other : ids) {
                if (acked.getOrDefault(other, 0L) >= candidate) {
                    count++;
                }
            }
            if (count * 2 > ids.size()) {
                best = Math.max(best, candidate);
            }
        }
        return best;
    }

    /** Oracle: won if a strict majority granted; lost if a strict majority cannot be reached. */
    static VoteResult oracleVote(Set<Long> ids, Map<Long, Boolean> votes) {
        if (ids.isEmpty()) {
            return VoteResult.WON;
        }
        int yes = 0;
        int no = 0;
        for (long id : ids) {
            Boolean v = votes.get(id);
            if (Boolean.TRUE.equals(v)) {
                yes++;
            } else if (Boolean.FALSE.equals(v)) {
                no++;
            }
        }
        if (2 * yes > ids.size()) {
            return VoteResult.WON;
        }
        if (2 * (ids.size() - no) <= ids.size()) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }

    private static Set<Long> randomIds(SplittableRandom rnd, int max) {
        Set<Long> ids = new HashSet<>();
        int n = rnd.nextInt(max + 1);
        while (ids.size() < n) {
            ids.add(1L + rnd.nextInt(10));
        }
        return ids;
    }

    private static Map<Long, Long> randomAcks(SplittableRandom rnd) {
        Map<Long, Long> acked = new HashMap<>();
        for (long id = 1; id <= 10; id++) {
            if (rnd.nextInt(4) != 0) {
                acked.put(id, (long) rnd.nextInt(20));
            }
        }
        return acked;
    }

    @Test
    void majorityCommittedIndexMatchesOracle() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < CASES; i++) {
            Set<Long> ids = randomIds(rnd, 7);
            Map<Long, Long> acked = randomAcks(rnd);
            long got = new MajorityConfig(ids).committedIndex(id -> acked.getOrDefault(id, 0L));
            assertEquals(oracleCommitted(ids, acked), got, "committed index of " + ids + " with acks " + acked);
        }
    }

    @Test
    void jointCommittedIndexIsTheMinimumOfBothHalves() {
        SplittableRandom rnd = new SplittableRandom(43);
        for (int i = 0; i < CASES; i++) {
            Set<Long> in = randomIds(rnd, 5);
            Set<Long> out = randomIds(rnd, 5);
            Map<Long, Long> acked = randomAcks(rnd);
            JointConfig jc = new JointConfig(new MajorityConfig(in), new MajorityConfig(out));
            long want = Math.min(oracleCommitted(in, acked), oracleCommitted(out, acked));
            assertEquals(want, jc.committedIndex(id -> acked.getOrDefault(id, 0L)),
                    "joint " + in + "&&" + out + " with acks " + acked);
        }
    }

    @Test
    void voteResultMatchesOracle() {
        SplittableRandom rnd = new SplittableRandom(44);
        for (int i = 0; i < CASES; i++) {
            Set<Long> in = randomIds(rnd, 5);
            Set<Long> out = rnd.nextBoolean() ? Set.of() : randomIds(rnd, 5);
            Map<Long, Boolean> votes = new HashMap<>();
            for (long id = 1; id <= 10; id++) {
                int r = rnd.nextInt(3);
                if (r > 0) {
                    votes.put(id, r == 1);
                }
            }
            assertEquals(oracleVote(in, votes), new MajorityConfig(in).voteResult(votes), "vote " + in + " " + votes);
            VoteResult a = oracleVote(in, votes);
            VoteResult b = oracleVote(out, votes);
            VoteResult want = a == VoteResult.LOST || b == VoteResult.LOST ? VoteResult.LOST
                    : a == VoteResult.WON && b == VoteResult.WON ? VoteResult.WON : VoteResult.PENDING;
            assertEquals(want, new JointConfig(new MajorityConfig(in), new MajorityConfig(out)).voteResult(votes),
                    "joint vote " + in + "&&" + out + " " + votes);
        }
    }

    /** The tracker's commit index only moves forward as acks grow (a safety property of the math). */
    @Test
    void committedIndexIsMonotoneInAcks() {
        SplittableRandom rnd = new SplittableRandom(45);
        for (int i = 0; i < CASES / 5; i++) {
            Set<Long> ids = randomIds(rnd, 7);
            Map<Long, Long> acked = randomAcks(rnd);
            MajorityConfig mc = new MajorityConfig(ids);
            long before = mc.committedIndex(id -> acked.getOrDefault(id, 0L));
            List<Long> keys = new ArrayList<>(acked.keySet());
            if (keys.isEmpty()) {
                continue;
            }
            long k = keys.get(rnd.nextInt(keys.size()));
            acked.put(k, acked.get(k) + rnd.nextInt(5));
            long after = mc.committedIndex(id -> acked.getOrDefault(id, 0L));
            assertEquals(true, after >= before, "commit went back from " + before + " to " + after);
        }
    }
}
