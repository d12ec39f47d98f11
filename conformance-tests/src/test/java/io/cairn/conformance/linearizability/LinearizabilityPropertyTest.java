package io.cairn.conformance.linearizability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;

import static io.cairn.conformance.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.cairn.conformance.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Histories generated from real sequential executions ({@link HistoryGenerator}) are linearizable,
 * whatever the seed; the same histories with one result changed in a way that no linearization can
 * explain are not. The mutations are constructed to be detectable (not "usually" detected), so every
 * assertion holds for every seed.
 */
class LinearizabilityPropertyTest {

    private static final HistoryGenerator.Config SMALL = new HistoryGenerator.Config(300, 4, 5, 2, 0.1, 0.05);
    private static final LinearizabilityChecker CHECKER = new LinearizabilityChecker(Duration.ofSeconds(30));

    private static LongStream seeds() {
        return LongStream.rangeClosed(1, 40);
    }

    @Test
    void generatedHistoriesAreLinearizable() {
        seeds().forEach(seed -> {
            List<HistoryEntry> history = HistoryGenerator.generate(SMALL, seed);
            CheckResult result = CHECKER.check(new KvModel(), history);
            assertEquals(LINEARIZABLE, result.verdict(), "seed " + seed + ": " + result.explanation());
        });
    }

    @Test
    void generatedHistoriesAreLinearizableUnpartitioned() {
        HistoryGenerator.Config config = new HistoryGenerator.Config(200, 4, 4, 2, 0.05, 0.05);
        seeds().forEach(seed -> {
            List<HistoryEntry> history = HistoryGenerator.generate(config, seed);
            CheckResult result = CHECKER.check(KvModel.unpartitioned(), history);
            assertEquals(LINEARIZABLE, result.verdict(), "seed " + seed + ": " + result.explanation());
        });
    }

    /** The model follows the generator's own execution order, step by step (a direct check of the model). */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void modelAcceptsTheRealExecutionOrder(int leaseKeys) {
        HistoryGenerator.Config config = new HistoryGenerator.Config(10_000, 50, 10, leaseKeys, 0.05, 0.02);
        List<HistoryEntry> history = new ArrayList<>(HistoryGenerator.generate(config, 42));
        history.sort(java.util.Comparator.comparingLong(HistoryEntry::id)); // ids are the execution order
        KvModel model = new KvModel();
        KvState state = model.initialState();
        for (HistoryEntry entry : history) {
            boolean applied = entry.outcome() instanceof Outcome.Ok
                    || (entry.outcome() instanceof Outcome.Unknown unknown && unknown.reason().contains("after it applied"));
            if (!applied) {
                continue;
            }
            KvState before = state;
            List<KvState> next = model.step(state, entry.operation(), entry.outcome());
            assertTrue(next.size() == 1 || entry.outcome() instanceof Outcome.Unknown, entry + " from " + before + " gives " + next);
            assertTrue(!next.isEmpty(), entry + " rejected in " + before);
            state = next.get(0);
        }
    }

    /** A read answers a value that no operation wrote. */
    @Test
    void readOfAValueNeverWrittenIsDetected() {
        seeds().forEach(seed -> {
            List<HistoryEntry> history = HistoryGenerator.generate(SMALL, seed);
            HistoryEntry read = history.stream().filter(e -> e.operation() instanceof Operation.Get && ok(e) != null).skip(seed % 7).findFirst().orElseThrow();
            Result.GetResult original = (Result.GetResult) ok(read);
            List<HistoryEntry> mutated = replace(history, read, new Result.GetResult("never-written", original.modRevision(), original.revision()));
            requireDetected(mutated, read, seed);
        });
    }

    /**
     * A read answers the value of write W although another write W2 to its key started after W returned
     * and returned before the read started: W's value was overwritten for good (values are unique).
     */
    @Test
    void staleReadIsDetected() {
        int found = 0;
        for (long seed : seeds().toArray()) {
            List<HistoryEntry> history = HistoryGenerator.generate(SMALL, seed);
            Mutation stale = findStaleRead(history);
            if (stale == null) {
                continue;
            }
            found++;
            requireDetected(replace(history, stale.target(), stale.result()), stale.target(), seed);
        }
        assertTrue(found >= 30, "the generator should give stale-read candidates in most seeds, got " + found);
    }

    /** A put reports a revision not above that of an operation on its key that returned before the put began. */
    @Test
    void revisionGoingBackIsDetected() {
        int found = 0;
        for (long seed : seeds().toArray()) {
            List<HistoryEntry> history = HistoryGenerator.generate(SMALL, seed);
            Mutation backwards = findRevisionRegression(history);
            if (backwards == null) {
                continue;
            }
            found++;
            requireDetected(replace(history, backwards.target(), backwards.result()), backwards.target(), seed);
        }
        assertTrue(found >= 30, "the generator should give revision candidates in most seeds, got " + found);
    }

    /**
     * The size that should check in a second or two; the time is printed, not asserted. With leases, the
     * three lease keys and some 300 leases form one partition of about 1,800 operations, about 90 of them
     * with unknown outcome: the case that needs the checker's bound on unknown operations placed in a row.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tenThousandOperationsOverFiftyKeysWithTenClients(boolean withLeases) {
        HistoryGenerator.Config config = new HistoryGenerator.Config(10_000, 50, 10, withLeases ? 3 : 0, 0.05, 0.02);
        List<HistoryEntry> history = HistoryGenerator.generate(config, 42);
        CheckResult result = CHECKER.check(new KvModel(), history);
        System.out.println("10,000 operations, 50 keys, 10 clients, leases " + withLeases + ": " + result.explanation());
        assertEquals(LINEARIZABLE, result.verdict(), result.explanation());

        Mutation stale = findStaleRead(history);
        CheckResult mutated = CHECKER.check(new KvModel(), replace(history, stale.target(), stale.result()));
        System.out.println("with a stale read: " + mutated.steps() + " steps, " + mutated.elapsed().toMillis() + " ms");
        assertEquals(NOT_LINEARIZABLE, mutated.verdict(), mutated.explanation());
    }

    private record Mutation(HistoryEntry target, Result result) {
    }

    private static Mutation findStaleRead(List<HistoryEntry> history) {
        for (HistoryEntry read : history) {
            if (!(read.operation() instanceof Operation.Get get) || ok(read) == null) {
                continue;
            }
            for (HistoryEntry overwrite : history) {
                if (overwrite.responseNanos() >= read.invokeNanos() || writtenValue(overwrite, get.key()) == null) {
                    continue;
                }
                for (HistoryEntry overwritten : history) {
                    String value = writtenValue(overwritten, get.key());
                    if (value != null && overwritten.responseNanos() < overwrite.invokeNanos()) {
                        Result.GetResult original = (Result.GetResult) ok(read);
                        return new Mutation(read, new Result.GetResult(value, 0, original.revision()));
                    }
                }
            }
        }
        return null;
    }

    private static Mutation findRevisionRegression(List<HistoryEntry> history) {
        for (HistoryEntry write : history) {
            if (!(write.operation() instanceof Operation.Put put) || !(ok(write) instanceof Result.PutResult written)) {
                continue;
            }
            for (HistoryEntry earlier : history) {
                long revision = revision(earlier, put.key());
                if (revision > 0 && earlier.responseNanos() < write.invokeNanos()) {
                    return new Mutation(write, new Result.PutResult(written.prevValue(), written.prevModRevision(), revision));
                }
            }
        }
        return null;
    }

    /** The value an acknowledged operation wrote to {@code key}, or {@code null}. */
    private static String writtenValue(HistoryEntry entry, String key) {
        return switch (entry.operation()) {
            case Operation.Put put when put.key().equals(key) && ok(entry) instanceof Result.PutResult -> put.value();
            case Operation.CompareAndSet cas when cas.key().equals(key) && ok(entry) instanceof Result.CasResult answer && answer.succeeded() -> cas.newValue();
            default -> null;
        };
    }

    /** The revision an acknowledged operation on {@code key} reported, or 0. */
    private static long revision(HistoryEntry entry, String key) {
        Result result = ok(entry);
        return switch (entry.operation()) {
            case Operation.Put put when put.key().equals(key) && result instanceof Result.PutResult written -> written.revision();
            case Operation.Get get when get.key().equals(key) && result != null -> ((Result.GetResult) result).revision();
            case Operation.Delete delete when delete.key().equals(key) && result != null -> ((Result.DeleteResult) result).revision();
            case Operation.CompareAndSet cas when cas.key().equals(key) && result != null -> ((Result.CasResult) result).revision();
            default -> 0;
        };
    }

    private static Result ok(HistoryEntry entry) {
        return entry.outcome() instanceof Outcome.Ok ok ? ok.result() : null;
    }

    private static List<HistoryEntry> replace(List<HistoryEntry> history, HistoryEntry target, Result result) {
        UnaryOperator<HistoryEntry> mutate = e -> e == target
                ? new HistoryEntry(e.id(), e.clientId(), e.invokeNanos(), e.responseNanos(), e.operation(), new Outcome.Ok(result))
                : e;
        List<HistoryEntry> mutated = new ArrayList<>(history.size());
        history.forEach(e -> mutated.add(mutate.apply(e)));
        return mutated;
    }

    private static void requireDetected(List<HistoryEntry> mutated, HistoryEntry target, long seed) {
        CheckResult result = CHECKER.check(new KvModel(), mutated);
        assertEquals(NOT_LINEARIZABLE, result.verdict(), "seed " + seed + ", mutated " + target + ": " + result.explanation());
        String key = switch (target.operation()) {
            case Operation.Get get -> get.key();
            case Operation.Put put -> put.key();
            default -> throw new AssertionError(target);
        };
        assertTrue(result.partition().equals("key " + key) || result.partition().contains(key + ",") || result.partition().contains(key + "]"),
                "seed " + seed + ": the failing partition " + result.partition() + " should hold " + key);
    }
}
