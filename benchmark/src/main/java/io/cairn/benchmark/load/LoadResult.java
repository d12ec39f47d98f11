package io.cairn.benchmark.load;

import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one run: successful requests, errors (by kind), requests per second and the
 * latency distribution in milliseconds. For watch-latency a "request" is one event received by
 * one watcher, and the latency runs from the put's acknowledgement to that event.
 *
 * @param description   what ran, for the table's title
 * @param requests      successful requests (events for watch-latency)
 * @param errors        failed requests (missing events for watch-latency)
 * @param seconds       wall time of the measured part
 * @param latencyMs     min, mean, p50, p90, p99, p99.9, max
 * @param errorKinds    error description → count
 * @param extra         workload-specific figures (for example the puts of watch-latency)
 */
public record LoadResult(String command, String description, long requests, long errors, double seconds,
                         Latency latencyMs, Map<String, Long> errorKinds, Map<String, Long> extra) {

    /** Latency figures in milliseconds. */
    public record Latency(double min, double mean, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram nanos) {
            if (nanos.getTotalCount() == 0) return new Latency(0, 0, 0, 0, 0, 0, 0);
            return new Latency(ms(nanos.getMinValue()), nanos.getMean() / 1e6, ms(nanos.getValueAtPercentile(50)),
                    ms(nanos.getValueAtPercentile(90)), ms(nanos.getValueAtPercentile(99)),
                    ms(nanos.getValueAtPercentile(99.9)), ms(nanos.getMaxValue()));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    public LoadResult {
        errorKinds = Map.copyOf(errorKinds);
        extra = Map.copyOf(extra);
    }

    public double requestsPerSecond() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** A small fixed-width table, like etcd's benchmark summary. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(description).append('\n');
        out.append(String.format(Locale.ROOT, "%10s %8s %9s %11s | %9s %9s %9s %9s %9s %9s %9s%n",
                "requests", "errors", "seconds", "req/s", "min ms", "mean ms", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
        Latency l = latencyMs;
        out.append(String.format(Locale.ROOT, "%10d %8d %9.2f %11.1f | %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n",
                requests, errors, seconds, requestsPerSecond(), l.min, l.mean, l.p50, l.p90, l.p99, l.p999, l.max));
        extra.forEach((name, value) -> out.append("  ").append(name).append(": ").append(value).append('\n'));
        errorKinds.forEach((kind, count) -> out.append("  error ×").append(count).append(": ").append(kind).append('\n'));
        return out.toString();
    }

    /** The result as one JSON object. */
    public String json() {
        Latency l = latencyMs;
        StringBuilder out = new StringBuilder("{");
        out.append("\"command\":").append(Json.quote(command));
        out.append(",\"description\":").append(Json.quote(description));
        out.append(",\"requests\":").append(requests);
        out.append(",\"errors\":").append(errors);
        out.append(",\"seconds\":").append(Json.number(seconds));
        out.append(",\"requestsPerSecond\":").append(Json.number(requestsPerSecond()));
        out.append(",\"latencyMs\":{\"min\":").append(Json.number(l.min)).append(",\"mean\":").append(Json.number(l.mean))
                .append(",\"p50\":").append(Json.number(l.p50)).append(",\"p90\":").append(Json.number(l.p90))
                .append(",\"p99\":").append(Json.number(l.p99)).append(",\"p99.9\":").append(Json.number(l.p999))
                .append(",\"max\":").append(Json.number(l.max)).append('}');
        out.append(",\"errorKinds\":{");
        appendCounts(out, errorKinds);
        out.append("},\"extra\":{");
        appendCounts(out, extra);
        out.append("}}");
        return out.toString();
    }

    private static void appendCounts(StringBuilder out, Map<String, Long> counts) {
        boolean first = true;
        for (Map.Entry<String, Long> entry : new java.util.TreeMap<>(counts).entrySet()) {
            if (!first) out.append(',');
            first = false;
            out.append(Json.quote(entry.getKey())).append(':').append(entry.getValue());
        }
    }
}
