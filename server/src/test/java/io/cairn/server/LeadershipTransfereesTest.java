package io.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.raft.ProgressState;
import io.cairn.raft.ProgressStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which follower a leader that stops hands leadership to first: {@link RaftNode#mostUpToDateFirst}. */
class LeadershipTransfereesTest {

    private static final long SELF = 1;

    private static ProgressStatus progress(long match, boolean recentActive) {
        return new ProgressStatus(match, match + 1, ProgressState.REPLICATE, false, recentActive, 0, 0, 0);
    }

    @Test
    void theHighestMatchIndexComesFirstNotTheLowestId() {
        Map<Long, ProgressStatus> progress = Map.of(SELF, progress(100, true), 2L, progress(90, true),
                3L, progress(100, true), 4L, progress(95, true));
        assertEquals(List.of(3L, 4L, 2L), RaftNode.mostUpToDateFirst(progress, Set.of(SELF, 2L, 3L, 4L), SELF));
    }

    @Test
    void aFollowerNotHeardFromLatelyComesAfterTheActiveOnesWhateverItsMatchIndex() {
        Map<Long, ProgressStatus> progress = Map.of(SELF, progress(100, true), 2L, progress(100, false),
                3L, progress(60, true));
        assertEquals(List.of(3L, 2L), RaftNode.mostUpToDateFirst(progress, Set.of(SELF, 2L, 3L), SELF));
    }

    @Test
    void learnersAndTheLeaderItselfAreNoCandidatesAndTiesGoByIdOrder() {
        Map<Long, ProgressStatus> progress = Map.of(SELF, progress(100, true), 7L, progress(100, true),
                5L, progress(100, true), 9L, new ProgressStatus(100, 101, ProgressState.REPLICATE, true, true, 0, 0, 0));
        // 9 is a learner: not in the voters
        assertEquals(List.of(5L, 7L), RaftNode.mostUpToDateFirst(progress, Set.of(SELF, 5L, 7L), SELF));
        assertEquals(List.of(), RaftNode.mostUpToDateFirst(Map.of(SELF, progress(3, true)), Set.of(SELF), SELF));
    }
}
