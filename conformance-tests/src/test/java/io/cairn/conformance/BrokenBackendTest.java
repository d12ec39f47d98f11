package io.cairn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.cairn.conformance.ReferenceStorageProvider.Fault;
import io.cairn.spi.storage.StorageProvider;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Tests the kit itself: runs {@link StorageVerification} on deliberately broken variants of the
 * reference backend (through JUnit's {@link EngineTestKit}) and checks that the rule guarding the
 * broken promise fails, with a message that names the backend and the problem, and that no unrelated
 * rule fails. Some faults break several promises at once (a backend that loses half of every batch
 * breaks every rule that writes multi-operation batches); those rules are listed as allowed to fail.
 *
 * <p>The broken verification classes are package-private nested classes: surefire does not run them
 * on their own (nested classes are excluded by default), only this test does.
 */
class BrokenBackendTest {

    /** The child-JVM rules (several seconds each) run only where the fault concerns them. */
    private static final Set<String> CHILD_JVM_RULES = Set.of(
            "required_spec5_2_acknowledgedSyncedBatchesSurviveSigkill", "required_spec9_4_directoryOpenInAnotherProcessIsLocked");

    @Test
    void backendThatLosesHalfOfEachBatchFailsTheAtomicityRule() {
        requireFailure(LosesSecondHalfOfBatch.class, "required_spec3_1_batchIsAppliedWhollyAcrossKeyspaces",
                List.of("backend 'reference'", "of its puts are not visible", "a batch must be applied whole"),
                Set.of("required_spec3_2_operationsApplyInOrder", "required_spec4_1_snapshotIgnoresLaterWrites",
                        "stochastic_spec4_2_snapshotsAreConsistentUnderConcurrentWrites", "required_spec5_1_writesSurviveCloseAndReopen",
                        "stochastic_spec6_3_checkpointUnderWritesHoldsWholeBatches", "stochastic_spec7_1_readersSeeEveryReturnedWrite",
                        "stochastic_spec7_2_concurrentWritersLoseNothing", "required_spec8_2_compactionKeepsLiveData"));
    }

    @Test
    void backendThatSortsSignedFailsTheOrderingRules() {
        requireFailure(SortsSigned.class, "required_spec1_1_keysSortAsUnsignedBytes",
                List.of("backend 'reference'", "a full ascending scan", "returned keys [80,", "expected [00,"),
                // 7.1 finds the newest key with a descending scan over big-endian numbers, which signed order breaks past 127
                Set.of("required_spec1_3_keysOfFfBytesSortLast", "stochastic_spec7_1_readersSeeEveryReturnedWrite"));
    }

    @Test
    void backendWhoseSnapshotsSeeLaterWritesFailsTheIsolationRule() {
        requireFailure(SnapshotSeesLaterWrites.class, "required_spec4_1_snapshotIgnoresLaterWrites",
                List.of("backend 'reference'", "read from a snapshot taken before later writes", "returned \"changed\"", "expected \"v\""),
                Set.of("stochastic_spec4_2_snapshotsAreConsistentUnderConcurrentWrites"));
    }

    @Test
    void backendThatIgnoresLimitsFailsTheLimitRule() {
        requireFailure(IgnoresLimit.class, "required_spec2_5_limitCapsScanInBothDirections",
                List.of("backend 'reference'", "scan [start, end) ascending limit 2 returned [a, b, bb, c, d, e]", "expected [a, b]"),
                Set.of());
    }

    @Test
    void backendThatReadsAfterCloseFailsTheLifecycleRule() {
        requireFailure(ReadsAfterClose.class, "required_spec5_4_callsAfterCloseFailWithClosed",
                List.of("backend 'reference'", "get after close must throw StorageException", "returned normally"),
                Set.of());
    }

    /** The crash rule, with a child JVM whose backend loses half of each batch: the half-batch on disk is caught. */
    @Test
    void crashRuleCatchesHalfBatchesWrittenByTheChild() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(ChildLosesSecondHalfOfBatch.class, "required_spec5_2_acknowledgedSyncedBatchesSurviveSigkill"))
                .execute();
        Map<String, Throwable> failures = failures(results);
        assertEquals(Set.of("required_spec5_2_acknowledgedSyncedBatchesSurviveSigkill"), failures.keySet(),
                "the crash rule must fail on a child backend that loses half of each batch");
        String message = failures.values().iterator().next().getMessage();
        assertTrue(message.contains("is half-present: 4 of its 8 keys") && message.contains("reproduce with -Dcairn.conformance.seed="),
                "the crash rule's message must say which batch is half-present and how to reproduce it, but said: " + message);
    }

    private static void requireFailure(Class<? extends StorageVerification> broken, String rule, List<String> messageParts, Set<String> mayAlsoFail) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (Method method : StorageVerificationRules.class.getMethods()) {
            if (!CHILD_JVM_RULES.contains(method.getName())) {
                selectors.add(selectMethod(broken, method.getName()));
            }
        }
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(DiscoverySelector[]::new)).execute();
        Map<String, Throwable> failures = failures(results);
        Throwable failure = failures.get(rule);
        if (failure == null) {
            fail("the kit did not fail rule " + rule + " on " + broken.getSimpleName() + "; rules that failed: " + failures.keySet());
        }
        String message = String.valueOf(failure.getMessage());
        for (String part : messageParts) {
            assertTrue(message.contains(part), "the failure of " + rule + " on " + broken.getSimpleName() + " must say '" + part + "', but said: " + message);
        }
        Set<String> unexpected = new TreeSet<>(failures.keySet());
        unexpected.remove(rule);
        unexpected.removeAll(mayAlsoFail);
        assertTrue(unexpected.isEmpty(), broken.getSimpleName() + " also failed rules unrelated to its fault: " + unexpected
                + "; first message: " + (unexpected.isEmpty() ? "" : failures.get(unexpected.iterator().next())));
        long succeeded = results.testEvents().succeeded().count();
        assertTrue(succeeded >= selectors.size() - 1 - mayAlsoFail.size() - 1,
                broken.getSimpleName() + ": only " + succeeded + " of " + selectors.size() + " rules passed; the rest must pass (one optional may abort)");
    }

    /** Failed rules by method name, with what they threw. */
    private static Map<String, Throwable> failures(EngineExecutionResults results) {
        Map<String, Throwable> failures = new TreeMap<>();
        for (Event event : results.testEvents().failed().list()) {
            String method = event.getTestDescriptor().getSource()
                    .filter(MethodSource.class::isInstance).map(source -> ((MethodSource) source).getMethodName())
                    .orElse(event.getTestDescriptor().getDisplayName());
            failures.put(method, event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null));
        }
        return failures;
    }

    /** The reference backend with one fault, fast stochastic rules, and the child JVM set up for it. */
    abstract static class Broken extends StorageVerification {
        abstract Set<Fault> faults();

        @Override
        protected StorageProvider provider() {
            return new ReferenceStorageProvider(faults());
        }

        @Override
        protected List<StorageProvider> discoveredProviders() {
            return List.of(provider());
        }

        @Override
        protected List<String> childJvmOptions() {
            List<String> options = new ArrayList<>(ReferenceStorageVerificationTest.childOptionsForReferenceProvider());
            options.add("-D" + ReferenceStorageProvider.FAULTS_PROPERTY + "=" + String.join(",", faults().stream().map(Enum::name).toList()));
            return options;
        }

        @Override
        protected Duration stressDuration() {
            return Duration.ofMillis(100);
        }
    }

    static class LosesSecondHalfOfBatch extends Broken {
        @Override
        Set<Fault> faults() {
            return EnumSet.of(Fault.LOSES_SECOND_HALF_OF_BATCH);
        }
    }

    static class ChildLosesSecondHalfOfBatch extends LosesSecondHalfOfBatch {
    }

    static class SortsSigned extends Broken {
        @Override
        Set<Fault> faults() {
            return EnumSet.of(Fault.SIGNED_ORDER);
        }
    }

    static class SnapshotSeesLaterWrites extends Broken {
        @Override
        Set<Fault> faults() {
            return EnumSet.of(Fault.SNAPSHOT_SEES_LATER_WRITES);
        }
    }

    static class IgnoresLimit extends Broken {
        @Override
        Set<Fault> faults() {
            return EnumSet.of(Fault.IGNORES_LIMIT);
        }
    }

    static class ReadsAfterClose extends Broken {
        @Override
        Set<Fault> faults() {
            return EnumSet.of(Fault.READS_AFTER_CLOSE);
        }
    }

}
