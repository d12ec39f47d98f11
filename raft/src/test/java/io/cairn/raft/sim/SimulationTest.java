package io.cairn.raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic cluster simulator over many seeds (see {@link ClusterSimulation}).
 *
 * <p>System properties:
 * <ul>
 *   <li>{@code cairn.sim.seed=<n>}: replay one seed (with a trace of its last events on failure);
 *   <li>{@code cairn.sim.seeds=<n>} (default 2000): how many seeds to run;
 *   <li>{@code cairn.sim.firstSeed=<n>} (default 1): the first seed; seeds are consecutive;
 *   <li>{@code cairn.sim.faultMs=<n>}: simulated length of the fault phase per seed;
 *   <li>{@code cairn.sim.checkDeterminism=true}: run every seed twice and compare the traces
 *       (madsim's {@code MADSIM_TEST_CHECK_DETERMINISM}).
 * </ul>
 * Example: {@code ./mvnw -pl raft verify -Dtest=SimulationTest -Dcairn.sim.seeds=100000 -Dcairn.sim.firstSeed=5000}.
 */
class SimulationTest {

    private static final int DEFAULT_SEEDS = 2_000;
    private static final int TRACE_EVENTS = Integer.getInteger("cairn.sim.traceEvents", 80);

    @Test
    void seedsHoldEveryInvariant() {
        String one = System.getProperty("cairn.sim.seed");
        int faultMs = Integer.getInteger("cairn.sim.faultMs", ClusterSimulation.DEFAULT_FAULT_PHASE_MS);
        long first;
        int count;
        if (one != null && !one.isBlank()) {
            first = Long.parseLong(one.trim());
            count = 1;
        } else {
            first = Long.getLong("cairn.sim.firstSeed", 1L);
            count = Integer.getInteger("cairn.sim.seeds", DEFAULT_SEEDS);
        }
        boolean checkDeterminism = Boolean.getBoolean("cairn.sim.checkDeterminism");
        long started = System.nanoTime();
        ClusterSimulation.Stats total = new ClusterSimulation.Stats();
        int[] bySize = new int[8];
        int withLearners = 0;
        List<String> failures = new ArrayList<>();
        List<Long> failedSeeds = new ArrayList<>();
        for (long seed = first; seed < first + count; seed++) {
            ClusterSimulation sim = new ClusterSimulation(seed, faultMs, count == 1 ? TRACE_EVENTS : 0);
            SwarmOptions o = sim.options();
            bySize[o.voters()]++;
            if (o.learners() > 0) {
                withLearners++;
            }
            try {
                ClusterSimulation.Result r = sim.run();
                total.add(r.stats());
                if (checkDeterminism) {
                    long again = new ClusterSimulation(seed, faultMs, 0).run().traceHash();
                    if (again != r.traceHash()) {
                        failedSeeds.add(seed);
                        failures.add("seed " + seed + " ran differently the second time (trace hash " + r.traceHash()
                                + " then " + again + ")\nreproduce with: " + ClusterSimulation.REPRODUCE + seed
                                + " -Dcairn.sim.checkDeterminism=true");
                    }
                }
            } catch (ClusterSimulation.SimulationFailure f) {
                failedSeeds.add(seed);
                if (failures.size() < 3) {
                    failures.add(withTrace(seed, faultMs, f));
                }
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        String summary = "simulated " + count + " seeds (" + bySize[1] + " of size 1, " + bySize[3] + " of size 3, "
                + bySize[5] + " of size 5, " + withLearners + " with learners) in " + ms + " ms";
        if (!failures.isEmpty()) {
            fail(summary + ": " + failedSeeds.size() + " failed, seeds " + failedSeeds.subList(0, Math.min(20, failedSeeds.size()))
                    + "\n\n" + String.join("\n", failures));
        }
        System.out.println(summary + ": all invariants held");
        System.out.println("  totals: " + total);
        if (count >= 200) {
            // The swarm must actually exercise each fault and feature, or the seeds prove little.
            assertTrue(total.crashes > 0 && total.unsyncedLost > 0, "no crashes: " + total);
            assertTrue(total.partitions > 0 && total.messagesDropped > 0 && total.messagesDuplicated > 0, "no network faults: " + total);
            assertTrue(total.confChangesApplied > 0 && total.nodesAdded > 0 && total.nodesRemoved > 0, "no membership changes: " + total);
            assertTrue(total.transfers > 0, "no leader transfers: " + total);
            assertTrue(total.snapshotsSent > 0 && total.snapshotsInstalled > 0 && total.compactions > 0, "no snapshots: " + total);
            assertTrue(total.acked > count, "few acknowledged proposals: " + total);
        }
    }

    /** Replays a failed seed with tracing on, for a report with its last events. */
    private static String withTrace(long seed, int faultMs, ClusterSimulation.SimulationFailure first) {
        try {
            new ClusterSimulation(seed, faultMs, TRACE_EVENTS).run();
            return first.getMessage() + "\n(the traced replay did NOT fail: the run is not deterministic)";
        } catch (ClusterSimulation.SimulationFailure again) {
            return again.getMessage() + stackOf(again.getCause());
        }
    }

    private static String stackOf(Throwable t) {
        if (t == null || t instanceof InvariantViolation) {
            return "";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return "engine exception:\n" + w;
    }

    @Test
    void sameSeedGivesTheSameTrace() {
        for (long seed : new long[] {11, 12, 13, 14, 15, 16}) {
            ClusterSimulation.Result a = new ClusterSimulation(seed, 1_000, 0).run();
            ClusterSimulation.Result b = new ClusterSimulation(seed, 1_000, 0).run();
            assertEquals(a.traceHash(), b.traceHash(), "seed " + seed + " ran differently twice");
            assertEquals(a.stats().events, b.stats().events, "seed " + seed + " ran a different number of events");
        }
        // And different seeds do differ (the trace hash is not constant).
        assertTrue(new ClusterSimulation(21, 1_000, 0).run().traceHash() != new ClusterSimulation(22, 1_000, 0).run().traceHash());
    }

    /**
     * The simulator must be able to fail: with a deliberately broken application (forgotten votes,
     * lost log entries) some seed must break a Raft safety property, and the checker must say which.
     * (Lost entries are often noticed first by the engine itself, which refuses a commit index
     * beyond its log: those runs fail too, but are not counted as the checker's catch.)
     */
    @Test
    void brokenDurabilityIsCaught() {
        for (ClusterSimulation.Sabotage sabotage : new ClusterSimulation.Sabotage[] {
                ClusterSimulation.Sabotage.FORGET_VOTES, ClusterSimulation.Sabotage.LOSE_LOG_TAIL}) {
            String caught = null;
            int tried = 0;
            int otherFailures = 0;
            for (long seed = 1; seed <= 600 && caught == null; seed++) {
                tried++;
                try {
                    new ClusterSimulation(seed, 1_500, 0, sabotage).run();
                } catch (ClusterSimulation.SimulationFailure f) {
                    String firstLine = f.getMessage().lines().skip(1).findFirst().orElse("").trim();
                    if (firstLine.matches("(Election safety|Log matching|Leader completeness|State machine safety"
                            + "|Applied monotonic) violated.*")) {
                        caught = firstLine;
                    } else {
                        otherFailures++;
                    }
                }
            }
            assertTrue(caught != null, sabotage + " broke no Raft safety property in " + tried + " seeds ("
                    + otherFailures + " failed otherwise)");
            System.out.println("sabotage " + sabotage + " caught after " + tried + " seeds (" + otherFailures
                    + " failed otherwise first): " + caught);
        }
    }
}
