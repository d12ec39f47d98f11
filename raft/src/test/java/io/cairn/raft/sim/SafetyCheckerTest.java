package io.cairn.raft.sim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The checker must fail on hand-made histories that break each property, and pass a legal one. */
class SafetyCheckerTest {

    private static Entry e(long term, long index, String data) {
        return Entry.normal(term, index, data.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertViolation(String property, Executable history) {
        InvariantViolation v = assertThrows(InvariantViolation.class, history);
        assertTrue(v.getMessage().startsWith(property + " violated at [test]"), "wrong failure: " + v.getMessage());
    }

    @Test
    void legalHistoryPasses() {
        SafetyChecker c = new SafetyChecker();
        c.hardStatePersisted(1, new HardState(1, 1, 0), true, false, "test");
        c.leaderSeen(1, 1, "test");
        c.entriesPersisted(1, List.of(e(1, 1, ""), e(1, 2, "a")), "test");
        c.entriesPersisted(2, List.of(e(1, 1, ""), e(1, 2, "a")), "test");
        c.hardStatePersisted(1, new HardState(1, 1, 2), false, false, "test");
        c.leaderLogChecked(1, 1, 2, "test");
        c.applied(1, 1, e(1, 1, ""), "test");
        c.applied(1, 1, e(1, 2, "a"), "test");
        c.applied(2, 1, e(1, 1, ""), "test");
        c.applied(2, 1, e(1, 2, "a"), "test");
        // Node 2 leads term 2 with everything committed before, overwrites nothing committed.
        c.leaderSeen(2, 2, "test");
        c.entriesPersisted(2, List.of(e(2, 3, "")), "test");
        c.leaderLogChecked(2, 2, 2, "test");
        // Node 3 gets a snapshot at 2, then the rest.
        c.snapshotReceived(3, 2, 1, c.committedChain(2), "test");
        c.snapshotApplied(3, 2, 2, c.committedChain(2), "test");
        c.entriesPersisted(3, List.of(e(2, 3, "")), "test");
        c.applied(3, 2, e(2, 3, ""), "test");
        // A restart from the snapshot re-applies from there.
        c.restarted(3, 2, c.committedChain(2), "test");
        c.applied(3, 2, e(2, 3, ""), "test");
        assertTrue(c.checks() > 10);
    }

    @Test
    void twoLeadersInOneTerm() {
        SafetyChecker c = new SafetyChecker();
        c.leaderSeen(1, 3, "test");
        c.leaderSeen(1, 3, "test");
        c.leaderSeen(2, 4, "test");
        assertViolation("Election safety", () -> c.leaderSeen(2, 3, "test"));
    }

    @Test
    void sameIndexAndTermWithDifferentPrefixes() {
        SafetyChecker c = new SafetyChecker();
        c.entriesPersisted(1, List.of(e(1, 1, "a"), e(1, 2, "b")), "test");
        assertViolation("Log matching", () -> c.entriesPersisted(2, List.of(e(1, 1, "x"), e(1, 2, "b")), "test"));
    }

    @Test
    void overwrittenEntryIsTrackedPerNode() {
        SafetyChecker c = new SafetyChecker();
        c.entriesPersisted(1, List.of(e(1, 1, "a"), e(1, 2, "b")), "test");
        // Node 1's uncommitted tail is replaced by a later leader's entries: legal.
        c.entriesPersisted(1, List.of(e(2, 2, "c")), "test");
        c.entriesPersisted(2, List.of(e(1, 1, "a"), e(2, 2, "c")), "test");
        // But a different entry 2 in term 2 on top of the same prefix is not.
        assertViolation("Log matching", () -> c.entriesPersisted(3, List.of(e(1, 1, "a"), e(2, 2, "d")), "test"));
    }

    @Test
    void twoNodesApplyDifferentEntriesAtOneIndex() {
        SafetyChecker c = new SafetyChecker();
        c.applied(1, 1, e(1, 1, "a"), "test");
        assertViolation("State machine safety", () -> c.applied(2, 2, e(2, 1, "b"), "test"));
    }

    @Test
    void snapshotDisagreesWithWhatWasApplied() {
        SafetyChecker c = new SafetyChecker();
        c.applied(1, 1, e(1, 1, "a"), "test");
        assertViolation("State machine safety", () -> c.snapshotApplied(2, 1, 1, 12345L, "test"));
    }

    @Test
    void appliedGoesBackwardsOrSkips() {
        SafetyChecker c = new SafetyChecker();
        c.applied(1, 1, e(1, 1, "a"), "test");
        c.applied(1, 1, e(1, 2, "b"), "test");
        assertViolation("Applied monotonic", () -> c.applied(1, 1, e(1, 2, "b"), "test"));
        assertViolation("Applied monotonic", () -> c.applied(1, 1, e(1, 4, "d"), "test"));
        assertViolation("Applied monotonic", () -> c.snapshotApplied(1, 1, 2, c.committedChain(2), "test"));
        // A restart may not claim more than was ever applied.
        assertViolation("Applied monotonic", () -> c.restarted(1, 3, 1L, "test"));
    }

    @Test
    void leaderMissesAnEntryCommittedInAnEarlierTerm() {
        SafetyChecker c = new SafetyChecker();
        c.entriesPersisted(1, List.of(e(1, 1, ""), e(1, 2, "a")), "test");
        c.leaderLogChecked(1, 1, 2, "test");
        c.entriesPersisted(2, List.of(e(1, 1, "")), "test");
        assertViolation("Leader completeness", () -> c.leaderLogChecked(2, 2, 1, "test"));
    }

    @Test
    void leaderHoldsADifferentEntryWhereOneWasCommitted() {
        SafetyChecker c = new SafetyChecker();
        c.entriesPersisted(1, List.of(e(1, 1, ""), e(1, 2, "a")), "test");
        c.leaderLogChecked(1, 1, 2, "test");
        c.entriesPersisted(2, List.of(e(1, 1, ""), e(2, 2, "b")), "test");
        assertViolation("Leader completeness", () -> c.leaderLogChecked(2, 3, 1, "test"));
    }

    @Test
    void commitsSeenThroughAppliesCountForLaterLeaders() {
        SafetyChecker c = new SafetyChecker();
        c.applied(3, 5, e(1, 1, "a"), "test"); // node 3 applied index 1 while in term 5
        c.entriesPersisted(2, List.of(e(1, 1, "b")), "test");
        // A leader of term 5 is not held to it (the commit may be of term 5 itself) ...
        c.leaderLogChecked(2, 5, 0, "test");
        // ... a leader of term 6 is.
        assertViolation("Leader completeness", () -> c.leaderLogChecked(2, 6, 0, "test"));
    }

    @Test
    void votesAndTermsAreDurable() {
        SafetyChecker c = new SafetyChecker();
        c.hardStatePersisted(1, new HardState(2, 3, 0), true, false, "test");
        assertViolation("Durable vote", () -> c.hardStatePersisted(1, new HardState(2, 1, 0), true, false, "test"));
        assertViolation("Durable term", () -> c.hardStatePersisted(1, new HardState(1, 0, 0), true, false, "test"));
        c.hardStatePersisted(1, new HardState(2, 3, 5), false, false, "test");
        assertViolation("Durable commit", () -> c.hardStatePersisted(1, new HardState(2, 3, 4), false, false, "test"));
    }

    @Test
    void readyMustSyncWhenTermVoteOrLogChange() {
        SafetyChecker c = new SafetyChecker();
        assertViolation("Ready contract (mustSync)",
                () -> c.hardStatePersisted(1, new HardState(1, 0, 0), false, false, "test"));
        assertViolation("Ready contract (mustSync)", () -> c.logPersistedWithoutHardState(1, false, "test"));
        c.hardStatePersisted(1, new HardState(1, 0, 0), true, false, "test");
        assertViolation("Ready contract (mustSync)",
                () -> c.hardStatePersisted(1, new HardState(1, 0, 1), false, true, "test"));
    }
}
