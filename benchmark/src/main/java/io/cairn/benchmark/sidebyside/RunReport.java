package io.cairn.benchmark.sidebyside;

import io.cairn.benchmark.load.Json;
import io.cairn.benchmark.load.LoadResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Everything one runner invocation measured, and its Markdown and JSON forms. */
final class RunReport {

    final Instant started;
    final String duration;
    final long keys;
    final String arguments;
    final List<SideBySideMain.Workload> workloads;
    /** server name → workload label → result, in run order. */
    final Map<String, Map<String, LoadResult>> results = new LinkedHashMap<>();
    /** server name → figure name → value (MiB, ms, s, count). */
    final Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
    String loadBefore = "?";
    String loadAfter = "?";
    Map<String, String> serverVersions = Map.of();

    RunReport(Instant started, String duration, long keys, String arguments, List<SideBySideMain.Workload> workloads) {
        this.started = started;
        this.duration = duration;
        this.keys = keys;
        this.arguments = arguments;
        this.workloads = workloads;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Measured ").append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(started))
                .append(" with `bin/benchmark-vs-etcd").append(arguments.isEmpty() ? "" : " " + arguments).append("` on ")
                .append(machine()).append(". ");
        md.append(String.join(", ", serverVersions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()))
                .append(". ");
        md.append("Each workload ran ").append(duration).append(" against one member on 127.0.0.1 (rows marked 3 members: ")
                .append("against a fresh cluster of three members on 127.0.0.1, connections spread over the three) after a 5 s warm-up, ")
                .append("etcd first, then Cairn, with default settings (Cairn: the package's `bin/cairn`, its default JVM options, RocksDB); ")
                .append("the load generator ran in one JVM on the same machine. ")
                .append("Load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(loadAfter).append(".\n\n");
        String a = "etcd";
        String b = "Cairn";
        md.append("| workload | ").append(a).append(" req/s | ").append(b).append(" req/s | ").append(b).append("/").append(a)
                .append(" | ").append(a).append(" p99 ms | ").append(b).append(" p99 ms | ").append(b).append("/").append(a)
                .append(" | ").append(a).append(" p50 ms | ").append(b).append(" p50 ms | errors ").append(a).append(" / ").append(b).append(" |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SideBySideMain.Workload workload : workloads) {
            LoadResult x = result(a, workload.label());
            LoadResult y = result(b, workload.label());
            md.append("| ").append(workload.label()).append(" | ")
                    .append(x == null ? "–" : rate(x.requestsPerSecond())).append(" | ")
                    .append(y == null ? "–" : rate(y.requestsPerSecond())).append(" | ")
                    .append(x == null || y == null ? "–" : ratio(y.requestsPerSecond(), x.requestsPerSecond())).append(" | ")
                    .append(x == null ? "–" : ms(x.latencyMs().p99())).append(" | ")
                    .append(y == null ? "–" : ms(y.latencyMs().p99())).append(" | ")
                    .append(x == null || y == null ? "–" : ratio(y.latencyMs().p99(), x.latencyMs().p99())).append(" | ")
                    .append(x == null ? "–" : ms(x.latencyMs().p50())).append(" | ")
                    .append(y == null ? "–" : ms(y.latencyMs().p50())).append(" | ")
                    .append(x == null ? "–" : x.errors()).append(" / ").append(y == null ? "–" : y.errors()).append(" |\n");
        }
        md.append("\n| measure (").append(String.format(Locale.ROOT, "%,d", keys)).append(" keys of 8 + 256 bytes stored for the restart) | ")
                .append(a).append(" | ").append(b).append(" | ").append(b).append("/").append(a).append(" |\n|---|---:|---:|---:|\n");
        for (String figure : List.of(SideBySideMain.PEAK_RSS, SideBySideMain.PEAK_RSS_3, SideBySideMain.HWM, SideBySideMain.STARTUP,
                SideBySideMain.LOAD_KEYS, SideBySideMain.RESTART, SideBySideMain.KEYS_AFTER)) {
            Double x = figures.getOrDefault(a, Map.of()).get(figure);
            Double y = figures.getOrDefault(b, Map.of()).get(figure);
            md.append("| ").append(figure).append(" | ").append(figure(x)).append(" | ").append(figure(y)).append(" | ")
                    .append(x == null || y == null || figure.equals(SideBySideMain.KEYS_AFTER) ? "–" : ratio(y, x)).append(" |\n");
        }
        md.append("\nThe load generator's arguments per row (plus `--endpoints 127.0.0.1:<port>[,…] --duration ")
                .append(duration).append("`; `bin/benchmark load <arguments>` runs one); the keys for the restart: `txn-put --txn-ops ")
                .append(SideBySideMain.LOAD_TXN_OPS).append(" --clients 100 --conns 10 --key-size 8 --val-size 256 --sequential-keys --key-space-size ")
                .append(keys).append(" --total ").append(keys / SideBySideMain.LOAD_TXN_OPS).append("`:\n\n");
        for (SideBySideMain.Workload workload : workloads) {
            md.append("- ").append(workload.label()).append(": `").append(String.join(" ", workload.args())).append("`\n");
        }
        md.append("\nLatency of the watch row: from the put's response to the event at each watcher (0 ms for an event ")
                .append("that arrived before the response); req/s there counts events. ")
                .append("Range rows read one existing key with a 256-byte value.");
        for (SideBySideMain.Workload workload : workloads) {
            if (!workload.args().get(0).equals("watch-latency")) continue;
            for (String server : results.keySet()) {
                LoadResult watch = result(server, workload.label());
                if (watch == null || !watch.extra().containsKey("sentToEventP99Micros")) continue;
                md.append(String.format(Locale.ROOT, " %s: %,d of %,d events before the put's response; from the put's sending to the event p50 %s ms, p99 %s ms.",
                        server, watch.extra().get("eventsBeforeAck"), watch.requests() + watch.errors(),
                        ms(watch.extra().get("sentToEventP50Micros") / 1000.0), ms(watch.extra().get("sentToEventP99Micros") / 1000.0)));
            }
        }
        md.append('\n');
        return md.toString();
    }

    String json() {
        StringBuilder out = new StringBuilder("{\"started\":").append(Json.quote(started.toString()))
                .append(",\"arguments\":").append(Json.quote(arguments))
                .append(",\"duration\":").append(Json.quote(duration))
                .append(",\"keys\":").append(keys)
                .append(",\"machine\":").append(Json.quote(machine()))
                .append(",\"loadBefore\":").append(Json.quote(loadBefore))
                .append(",\"loadAfter\":").append(Json.quote(loadAfter))
                .append(",\"servers\":{");
        boolean firstServer = true;
        for (String server : results.keySet()) {
            if (!firstServer) out.append(',');
            firstServer = false;
            out.append(Json.quote(server)).append(":{\"version\":").append(Json.quote(serverVersions.getOrDefault(server, "?")))
                    .append(",\"workloads\":{");
            boolean first = true;
            for (Map.Entry<String, LoadResult> entry : results.get(server).entrySet()) {
                if (!first) out.append(',');
                first = false;
                out.append(Json.quote(entry.getKey())).append(':').append(entry.getValue().json());
            }
            out.append("},\"figures\":{");
            first = true;
            for (Map.Entry<String, Double> entry : figures.getOrDefault(server, Map.of()).entrySet()) {
                if (!first) out.append(',');
                first = false;
                out.append(Json.quote(entry.getKey())).append(':').append(Json.number(entry.getValue()));
            }
            out.append("}}");
        }
        return out.append("}}\n").toString();
    }

    LoadResult result(String server, String label) {
        return results.getOrDefault(server, Map.of()).get(label);
    }

    static String machine() {
        String cpu = "?";
        String memory = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format(Locale.ROOT, "%.0f GiB",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0)).findFirst().orElse("?");
        } catch (IOException e) {
            // leave "?"
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memory + ", Linux "
                + System.getProperty("os.version") + ", client JVM " + System.getProperty("java.vm.vendor", "?") + " "
                + Runtime.version();
    }

    static String rate(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String ms(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }

    static String ratio(double numerator, double denominator) {
        if (denominator <= 0) return "–";
        return String.format(Locale.ROOT, "%.2f×", numerator / denominator);
    }

    static String figure(Double value) {
        if (value == null) return "–";
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
