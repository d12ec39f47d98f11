package io.cairn.benchmark.storage;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the storage benchmarks of every provider and prints one Markdown table: synced batch
 * writes, random point reads and range scans, per provider. {@code -Dcairn.bench.long=true} runs
 * more and longer iterations.
 */
public final class StorageBenchmarkMain {

    private StorageBenchmarkMain() {}

    public static void main(String[] args) throws RunnerException {
        boolean longRun = Boolean.getBoolean("cairn.bench.long");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(SyncedBatchWriteBenchmark.class.getName())
                .include(ReadBenchmark.class.getName())
                .forks(1)
                .warmupIterations(longRun ? 5 : 2)
                .warmupTime(TimeValue.seconds(longRun ? 5 : 2))
                .measurementIterations(longRun ? 10 : 3)
                .measurementTime(TimeValue.seconds(longRun ? 5 : 3));
        if (args.length > 0) {
            options.param("provider", args);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.print(table(results));
    }

    static String table(Collection<RunResult> results) {
        String[] columns = {"synced batches of 1 (rows/s)", "synced batches of 16 (rows/s)",
            "synced batches of 256 (rows/s)", "random point reads/s", "range scan rows/s"};
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (RunResult result : results) {
            String provider = result.getParams().getParam("provider");
            String method = result.getParams().getBenchmark();
            double score = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            String column;
            double factor = 1;
            if (method.endsWith("syncedBatch")) {
                int batchSize = Integer.parseInt(result.getParams().getParam("batchSize"));
                column = "synced batches of " + batchSize + " (rows/s)";
                factor = batchSize;
            } else if (method.endsWith("randomPointRead")) {
                column = "random point reads/s";
            } else {
                column = "range scan rows/s";
            }
            rows.computeIfAbsent(provider, k -> new LinkedHashMap<>())
                    .put(column, String.format("%,.0f ± %,.0f", score * factor, error * factor));
        }
        StringBuilder out = new StringBuilder("| provider |");
        for (String column : columns) {
            out.append(' ').append(column).append(" |");
        }
        out.append("\n|---|").append("---|".repeat(columns.length)).append('\n');
        rows.forEach((provider, cells) -> {
            out.append("| ").append(provider).append(" |");
            for (String column : columns) {
                out.append(' ').append(cells.getOrDefault(column, "–")).append(" |");
            }
            out.append('\n');
        });
        return out.toString();
    }
}
