package io.cairn.conformance.linearizability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.cairn.conformance.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.cairn.conformance.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static io.cairn.conformance.linearizability.CheckResult.Verdict.TIMED_OUT;
import static io.cairn.conformance.linearizability.Operation.casModRevision;
import static io.cairn.conformance.linearizability.Operation.casValue;
import static io.cairn.conformance.linearizability.Operation.delete;
import static io.cairn.conformance.linearizability.Operation.get;
import static io.cairn.conformance.linearizability.Operation.put;
import static io.cairn.conformance.linearizability.Operation.putWithLease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-made histories, one row per case: what the checker must say and why. */
class LinearizabilityCheckerTest {

    private static final Result PUT_OK = Result.put(0);
    private static final Result ABSENT = Result.get(null);
    private static final Result GRANTED = new Result.LeaseGranted();
    private static final Result REVOKED = new Result.LeaseRevoked();
    private static final Result LEASE_NOT_FOUND = new Result.LeaseNotFound();

    record Case(String name, List<HistoryEntry> history, CheckResult.Verdict expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("sequential put then get", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("read concurrent with a put may see the old value", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 50, put("a", "2"), PUT_OK)
                        .ok(2, 30, 40, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("read concurrent with a put may see the new value", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 50, put("a", "2"), PUT_OK)
                        .ok(2, 30, 40, get("a"), Result.get("2")).build(), LINEARIZABLE),
                new Case("stale read: an older value after a newer write completed", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, put("a", "2"), PUT_OK)
                        .ok(2, 40, 50, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("two reads of one write, the later read older (new-old inversion)", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 100, put("a", "2"), PUT_OK)
                        .ok(2, 30, 40, get("a"), Result.get("2"))
                        .ok(3, 50, 60, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("lost write: acknowledged put not seen by a later read", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(2, 20, 30, get("a"), ABSENT).build(), NOT_LINEARIZABLE),
                new Case("concurrent puts then reads that disagree on the last one", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(2, 0, 10, put("a", "2"), PUT_OK)
                        .ok(1, 20, 30, get("a"), Result.get("1"))
                        .ok(2, 40, 50, get("a"), Result.get("2")).build(), NOT_LINEARIZABLE),
                new Case("read of a value never written", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(2, 5, 30, get("a"), Result.get("x")).build(), NOT_LINEARIZABLE),
                new Case("read of a value written to another key", new HistoryBuilder()
                        .ok(1, 0, 10, put("b", "1"), PUT_OK)
                        .ok(2, 20, 30, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("CAS: one of two concurrent CAS on the same value succeeds", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "0"), PUT_OK)
                        .ok(1, 20, 40, casValue("a", "0", "x"), new Result.CasResult(true, 0))
                        .ok(2, 20, 40, casValue("a", "0", "y"), new Result.CasResult(false, 0))
                        .ok(3, 50, 60, get("a"), Result.get("x")).build(), LINEARIZABLE),
                new Case("CAS double success", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "0"), PUT_OK)
                        .ok(1, 20, 40, casValue("a", "0", "x"), new Result.CasResult(true, 0))
                        .ok(2, 20, 40, casValue("a", "0", "y"), new Result.CasResult(true, 0)).build(), NOT_LINEARIZABLE),
                new Case("CAS failing although its comparison held", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "0"), PUT_OK)
                        .ok(1, 20, 40, casValue("a", "0", "x"), new Result.CasResult(false, 0)).build(), NOT_LINEARIZABLE),
                new Case("CAS on a missing key never matches a value", new HistoryBuilder()
                        .ok(1, 0, 10, casValue("a", "0", "x"), new Result.CasResult(true, 0)).build(), NOT_LINEARIZABLE),
                new Case("CAS on mod revision 0 creates a missing key once", new HistoryBuilder()
                        .ok(1, 0, 10, casModRevision("a", 0, "x"), new Result.CasResult(true, 2))
                        .ok(2, 20, 30, casModRevision("a", 0, "y"), new Result.CasResult(false, 2))
                        .ok(2, 40, 50, casModRevision("a", 2, "z"), new Result.CasResult(true, 3))
                        .ok(1, 60, 70, get("a"), Result.get("z", 3, 3)).build(), LINEARIZABLE),
                new Case("CAS on a mod revision a write did not report: success reveals it, once", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, casModRevision("a", 7, "x"), new Result.CasResult(true, 0))
                        .ok(2, 40, 50, put("a", "2"), PUT_OK)
                        .ok(2, 60, 70, put("a", "1"), PUT_OK)
                        .ok(2, 80, 90, casModRevision("a", 7, "y"), new Result.CasResult(true, 0)).build(), NOT_LINEARIZABLE),
                new Case("delete then read absent; delete of a missing key deletes nothing", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, delete("a"), new Result.DeleteResult(1, null, 0))
                        .ok(2, 40, 50, delete("a"), new Result.DeleteResult(0, null, 0))
                        .ok(2, 60, 70, get("a"), ABSENT).build(), LINEARIZABLE),
                new Case("delete reporting a key deleted twice", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, delete("a"), new Result.DeleteResult(1, null, 0))
                        .ok(2, 40, 50, delete("a"), new Result.DeleteResult(1, null, 0)).build(), NOT_LINEARIZABLE),
                new Case("prevKv must be the value before the put", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .ok(1, 20, 30, new Operation.Put("a", "2", 0, true), new Result.PutResult("2", 0, 0)).build(), NOT_LINEARIZABLE),
                new Case("prevKv of concurrent puts orders them", new HistoryBuilder()
                        .ok(1, 0, 30, new Operation.Put("a", "1", 0, true), new Result.PutResult("2", 0, 0))
                        .ok(2, 0, 30, new Operation.Put("a", "2", 0, true), new Result.PutResult(null, 0, 0))
                        .ok(3, 40, 50, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("unknown put that applied: a later read sees it", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .ok(2, 20, 30, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("unknown put that did not apply: later reads never see it", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .ok(2, 20, 30, get("a"), ABSENT)
                        .ok(2, 40, 50, get("a"), ABSENT).build(), LINEARIZABLE),
                new Case("unknown put applying late, after a put that started after its client gave up", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .ok(2, 20, 30, put("a", "2"), PUT_OK)
                        .ok(2, 40, 50, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("unknown put seen and then unseen", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .ok(2, 20, 30, get("a"), Result.get("1"))
                        .ok(2, 40, 50, get("a"), ABSENT).build(), NOT_LINEARIZABLE),
                new Case("unknown put whose value was read took effect before that read returned", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .ok(2, 20, 30, get("a"), Result.get("1"))
                        .ok(2, 40, 50, put("a", "2"), PUT_OK)
                        .ok(3, 60, 70, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("two unknown puts of one value: either may be the one read, and the other may apply later", new HistoryBuilder()
                        .unknown(1, 0, put("a", "1"))
                        .unknown(2, 0, put("a", "1"))
                        .ok(3, 20, 30, get("a"), Result.get("1"))
                        .ok(3, 40, 50, put("a", "2"), PUT_OK)
                        .ok(3, 60, 70, get("a"), Result.get("1")).build(), LINEARIZABLE),
                new Case("a delete that needs two unknown operations in a row (grant, then put with that lease)", new HistoryBuilder()
                        .unknown(1, 0, new Operation.LeaseGrant(7))
                        .unknown(2, 1, putWithLease("a", "1", 7))
                        .unknown(3, 2, put("b", "1"))
                        .ok(4, 20, 30, delete("a"), new Result.DeleteResult(1, null, 0)).build(), LINEARIZABLE),
                new Case("a delete that needs an unknown put with a lease never granted", new HistoryBuilder()
                        .unknown(2, 1, putWithLease("a", "1", 7))
                        .ok(4, 20, 30, delete("a"), new Result.DeleteResult(1, null, 0)).build(), NOT_LINEARIZABLE),
                new Case("unknown put cannot invert acknowledged order", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .unknown(2, 20, put("a", "2"))
                        .ok(3, 40, 50, get("a"), Result.get("2"))
                        .ok(3, 60, 70, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("unknown read is ignored", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .unknown(2, 20, get("a")).build(), LINEARIZABLE),
                new Case("failed put never took effect", new HistoryBuilder()
                        .failed(1, 0, 10, put("a", "1"))
                        .ok(2, 20, 30, get("a"), Result.get("1")).build(), NOT_LINEARIZABLE),
                new Case("unknown CAS that applied", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "0"), PUT_OK)
                        .unknown(1, 20, casValue("a", "0", "x"))
                        .ok(2, 40, 50, get("a"), Result.get("x")).build(), LINEARIZABLE),
                new Case("unknown CAS whose comparison failed cannot write", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), PUT_OK)
                        .unknown(1, 20, casValue("a", "0", "x"))
                        .ok(2, 40, 50, get("a"), Result.get("x")).build(), NOT_LINEARIZABLE),
                new Case("revoke removes the lease's keys", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                        .ok(1, 40, 50, putWithLease("b", "2", 7), PUT_OK)
                        .ok(1, 60, 70, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(2, 80, 90, get("a"), ABSENT)
                        .ok(2, 100, 110, get("b"), ABSENT).build(), LINEARIZABLE),
                new Case("a key of a revoked lease read after the revoke", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                        .ok(1, 40, 50, putWithLease("b", "2", 7), PUT_OK)
                        .ok(1, 60, 70, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(2, 80, 90, get("a"), ABSENT)
                        .ok(2, 100, 110, get("b"), Result.get("2")).build(), NOT_LINEARIZABLE),
                new Case("revoke concurrent with reads: a key gone, then the other key still there", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                        .ok(1, 40, 50, putWithLease("b", "2", 7), PUT_OK)
                        .ok(1, 60, 200, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(2, 80, 90, get("a"), ABSENT)
                        .ok(2, 100, 110, get("b"), Result.get("2")).build(), NOT_LINEARIZABLE),
                new Case("a put without lease detaches the key from the lease", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                        .ok(1, 40, 50, put("a", "2"), PUT_OK)
                        .ok(1, 60, 70, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(2, 80, 90, get("a"), Result.get("2")).build(), LINEARIZABLE),
                new Case("put with a revoked lease: lease not found", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(1, 40, 50, putWithLease("a", "1", 7), LEASE_NOT_FOUND)
                        .ok(1, 60, 70, new Operation.LeaseRevoke(7), LEASE_NOT_FOUND).build(), LINEARIZABLE),
                new Case("put with a revoked lease acknowledged", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, new Operation.LeaseRevoke(7), REVOKED)
                        .ok(1, 40, 50, putWithLease("a", "1", 7), PUT_OK).build(), NOT_LINEARIZABLE),
                new Case("put with a granted lease reported lease not found", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), LEASE_NOT_FOUND).build(), NOT_LINEARIZABLE),
                new Case("unknown revoke that applied", new HistoryBuilder()
                        .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                        .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                        .unknown(1, 40, new Operation.LeaseRevoke(7))
                        .ok(2, 60, 70, get("a"), ABSENT).build(), LINEARIZABLE),
                new Case("revisions: a later put with a lower revision", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), Result.put(5))
                        .ok(1, 20, 30, put("a", "2"), Result.put(4)).build(), NOT_LINEARIZABLE),
                new Case("revisions: a read's header revision goes back", new HistoryBuilder()
                        .ok(1, 0, 10, get("a"), Result.get(null, 0, 9))
                        .ok(2, 20, 30, get("a"), Result.get(null, 0, 8)).build(), NOT_LINEARIZABLE),
                new Case("revisions: a read reports another mod revision than the put", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), Result.put(5))
                        .ok(2, 20, 30, get("a"), Result.get("1", 6, 9)).build(), NOT_LINEARIZABLE),
                new Case("revisions: concurrent puts ordered by revision, read sees the earlier", new HistoryBuilder()
                        .ok(1, 0, 30, put("a", "1"), Result.put(5))
                        .ok(2, 0, 30, put("a", "2"), Result.put(6))
                        .ok(3, 40, 50, get("a"), Result.get("1", 5, 6)).build(), NOT_LINEARIZABLE),
                new Case("revisions: concurrent puts ordered by revision, read sees the later", new HistoryBuilder()
                        .ok(1, 0, 30, put("a", "1"), Result.put(5))
                        .ok(2, 0, 30, put("a", "2"), Result.put(6))
                        .ok(3, 40, 50, get("a"), Result.get("2", 6, 6)).build(), LINEARIZABLE),
                new Case("revisions: a write not reporting its revision, observed later above the floor", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), Result.put(5))
                        .ok(1, 20, 30, put("a", "2"), PUT_OK)
                        .ok(2, 40, 50, get("a"), Result.get("2", 9, 12))
                        .ok(2, 60, 70, get("a"), Result.get("2", 9, 12)).build(), LINEARIZABLE),
                new Case("revisions: a write not reporting its revision, observed at the floor", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), Result.put(5))
                        .ok(1, 20, 30, put("a", "2"), PUT_OK)
                        .ok(2, 40, 50, get("a"), Result.get("2", 5, 12)).build(), NOT_LINEARIZABLE),
                new Case("revisions: keys are checked apart, so a cross-key order is not seen", new HistoryBuilder()
                        .ok(1, 0, 10, put("a", "1"), Result.put(5))
                        .ok(1, 20, 30, put("b", "1"), Result.put(3)).build(), LINEARIZABLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdict(Case testCase) {
        CheckResult result = LinearizabilityChecker.checkKv(testCase.history());
        assertEquals(testCase.expected(), result.verdict(), result.explanation());
    }

    @Test
    void unpartitionedModelOrdersRevisionsAcrossKeys() {
        List<HistoryEntry> history = new HistoryBuilder()
                .ok(1, 0, 10, put("a", "1"), Result.put(5))
                .ok(1, 20, 30, put("b", "1"), Result.put(3)).build();
        CheckResult result = new LinearizabilityChecker(Duration.ofSeconds(10)).check(KvModel.unpartitioned(), history);
        assertEquals(NOT_LINEARIZABLE, result.verdict(), result.explanation());
        assertEquals("whole history", result.partition());
    }

    @Test
    void explanationNamesThePartitionThePrefixAndTheStuckOperation() {
        List<HistoryEntry> history = new HistoryBuilder()
                .ok(1, 0, 10, put("b", "1"), PUT_OK)
                .ok(1, 0, 10, put("a", "1"), PUT_OK)
                .ok(1, 20, 30, put("a", "2"), PUT_OK)
                .ok(2, 40, 50, get("a"), Result.get("1"))
                .ok(2, 60, 70, get("b"), Result.get("1")).build();
        CheckResult result = LinearizabilityChecker.checkKv(history);
        assertEquals(NOT_LINEARIZABLE, result.verdict(), result.explanation());
        assertEquals("key a", result.partition());
        assertEquals(List.of(history.get(1), history.get(2)), result.linearizedPrefix(), result.explanation());
        assertEquals(history.get(3), result.stuck().get(0), result.explanation());
        assertEquals(2, result.partitions());
        assertTrue(result.explanation().contains("partition key a"), result.explanation());
        assertTrue(result.explanation().contains("#3 client 2 [40, 50] get a -> ok"), result.explanation());
    }

    @Test
    void leaseConnectedKeysShareAPartition() {
        List<HistoryEntry> history = new HistoryBuilder()
                .ok(1, 0, 10, new Operation.LeaseGrant(7), GRANTED)
                .ok(1, 20, 30, putWithLease("a", "1", 7), PUT_OK)
                .ok(1, 40, 50, putWithLease("b", "2", 7), PUT_OK)
                .ok(1, 60, 70, put("c", "3"), PUT_OK)
                .ok(1, 80, 90, new Operation.LeaseRevoke(7), REVOKED)
                .ok(2, 100, 110, get("b"), Result.get("2")).build();
        List<SequentialModel.Partition> partitions = new KvModel().partition(history);
        assertEquals(List.of("keys [a, b] with lease 7", "key c"), partitions.stream().map(SequentialModel.Partition::name).toList());
        CheckResult result = LinearizabilityChecker.checkKv(history);
        assertEquals(NOT_LINEARIZABLE, result.verdict(), result.explanation());
        assertEquals("keys [a, b] with lease 7", result.partition());
    }

    @Test
    void stepBudgetGivesTimedOutNotAGuess() {
        HistoryBuilder builder = new HistoryBuilder();
        for (int i = 0; i < 20; i++) {
            builder.ok(i, 0, 100, put("a", "v" + i), PUT_OK);
        }
        builder.ok(0, 200, 300, get("a"), Result.get("v7"));
        CheckResult result = new LinearizabilityChecker(Duration.ofMinutes(1), 5).check(new KvModel(), builder.build());
        assertEquals(TIMED_OUT, result.verdict(), result.explanation());
        assertEquals("key a", result.partition());
        assertTrue(result.explanation().startsWith("Timed out"), result.explanation());
    }

    @Test
    void manyConcurrentUnknownWritesStillCheck() {
        // 12 writes with unknown outcome, all concurrent with a final read: the read may see any of them.
        HistoryBuilder builder = new HistoryBuilder();
        for (int i = 0; i < 12; i++) {
            builder.unknown(i, i, put("a", "v" + i));
        }
        builder.ok(20, 100, 110, get("a"), Result.get("v3"));
        builder.ok(20, 120, 130, get("a"), Result.get("v9"));
        assertEquals(LINEARIZABLE, LinearizabilityChecker.checkKv(builder.build()).verdict());
    }

    @Test
    void badHistoriesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HistoryEntry(1, 1, 10, 5, get("a"), new Outcome.Ok(ABSENT)));
        assertThrows(IllegalArgumentException.class, () -> new HistoryEntry(1, 1, 0, 5, get("a"), new Outcome.Ok(PUT_OK)));
        List<HistoryEntry> duplicateIds = List.of(
                new HistoryEntry(1, 1, 0, 5, get("a"), new Outcome.Ok(ABSENT)),
                new HistoryEntry(1, 2, 0, 5, get("a"), new Outcome.Ok(ABSENT)));
        assertThrows(IllegalArgumentException.class, () -> LinearizabilityChecker.checkKv(duplicateIds));
    }
}
