package io.cairn.conformance.linearizability;

import java.time.Duration;
import java.util.List;

/**
 * The verdict of {@link LinearizabilityChecker#check}.
 *
 * @param verdict          linearizable, not, or unknown because the budget ran out
 * @param partition        the partition that was not linearizable or where the budget ran out; {@code null}
 *                         when linearizable
 * @param linearizedPrefix when not linearizable: the last operations of the longest linearization found
 *                         for that partition (at most {@value LinearizabilityChecker#EXPLANATION_OPERATIONS}),
 *                         oldest first
 * @param stuck            when not linearizable: the operations that could not be linearized next after
 *                         that prefix, the first one being the operation that returned before any of them
 *                         could be placed
 * @param explanation      a readable account of all of the above
 * @param partitions       number of partitions of the checked history
 * @param operations       number of operations checked (failed ones and reads with unknown outcome are left out)
 * @param steps            search steps taken
 * @param elapsed          time the check took
 */
public record CheckResult(Verdict verdict, String partition, List<HistoryEntry> linearizedPrefix, List<HistoryEntry> stuck,
                          String explanation, int partitions, int operations, long steps, Duration elapsed) {

    public CheckResult {
        linearizedPrefix = List.copyOf(linearizedPrefix);
        stuck = List.copyOf(stuck);
    }

    public enum Verdict {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        /** The time or step budget ran out first: nothing is known. */
        TIMED_OUT
    }

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
        return explanation;
    }
}
