package io.cairn.benchmark.raft;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link RaftThroughputBenchmark} with JMH's GC profiler and prints one Markdown table:
 * committed entries per second and bytes allocated per committed entry, per batch size. Arguments
 * choose the batch sizes (default 1, 16, 256). Short by default (about half a minute);
 * {@code -Dcairn.bench.long=true} runs more and longer iterations.
 */
public final class RaftBenchmarkMain {

    private RaftBenchmarkMain() {}

    public static void main(String[] args) throws RunnerException {
        boolean longRun = Boolean.getBoolean("cairn.bench.long");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(RaftThroughputBenchmark.class.getName())
                .addProfiler(GCProfiler.class)
                .forks(1)
                .warmupIterations(longRun ? 5 : 3)
                .warmupTime(TimeValue.seconds(longRun ? 5 : 1))
                .measurementIterations(longRun ? 10 : 5)
                .measurementTime(TimeValue.seconds(longRun ? 5 : 1));
        if (args.length > 0) {
            options.param("batch", args);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.print(table(results));
    }

    static String table(Collection<RunResult> results) {
        Map<Integer, String> rows = new TreeMap<>();
        for (RunResult result : results) {
            int batch = Integer.parseInt(result.getParams().getParam("batch"));
            Result<?> rounds = result.getPrimaryResult();
            Result<?> allocPerRound = result.getSecondaryResults().get("gc.alloc.rate.norm");
            String alloc = allocPerRound == null ? "–" : String.format("%,.0f", allocPerRound.getScore() / batch);
            rows.put(batch, String.format("| %,d | %,.0f ± %,.0f | %s |", batch, rounds.getScore() * batch,
                    rounds.getScoreError() * batch, alloc));
        }
        StringBuilder out = new StringBuilder(
                "| batch | committed entries/s (3 nodes, one thread) | bytes allocated per entry (whole cluster) |\n"
                + "|---:|---:|---:|\n");
        rows.values().forEach(row -> out.append(row).append('\n'));
        return out.toString();
    }
}
