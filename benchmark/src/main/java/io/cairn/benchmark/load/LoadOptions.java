package io.cairn.benchmark.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one load-generator run, parsed from etcd-benchmark-style arguments
 * ({@code --clients 100} or {@code --clients=100}). Immutable.
 *
 * @param command        the workload: put, range, txn-put, watch-latency, lease-keepalive
 * @param endpoints      host:port of the servers; connections are spread over them
 * @param total          requests to send (puts for watch-latency); with a duration, whichever ends first
 * @param duration       how long to send; null when only {@code total} bounds the run
 * @param clients        concurrent clients, each with one request in flight
 * @param conns          gRPC connections (HTTP/2), shared round-robin by the clients
 * @param rate           requests per second over all clients; 0 for as fast as possible
 * @param jsonFile       where to write the result as JSON, or null
 * @param keySize        bytes per key
 * @param valSize        bytes per value
 * @param sequentialKeys keys 0, 1, 2, … (modulo the key space) instead of random ones
 * @param keySpaceSize   number of distinct keys
 * @param serializable   range: serializable (local) reads instead of linearizable ones
 * @param txnOps         txn-put: puts per transaction
 * @param streams        watch-latency: watch streams
 * @param watchersPerStream watch-latency: watchers on each stream
 * @param leaseTtlSeconds lease-keepalive: TTL of the lease each client keeps alive
 * @param quiet          no table on standard output
 */
public record LoadOptions(String command, List<String> endpoints, long total, Duration duration, int clients,
                          int conns, double rate, Path jsonFile, int keySize, int valSize, boolean sequentialKeys,
                          long keySpaceSize, boolean serializable, int txnOps, int streams, int watchersPerStream,
                          long leaseTtlSeconds, boolean quiet) {

    public static final Set<String> COMMANDS = Set.of("put", "range", "txn-put", "watch-latency", "lease-keepalive");

    /** Thrown for arguments the load generator does not understand; the message says which. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    public LoadOptions {
        if (!COMMANDS.contains(command)) {
            throw new UsageException("unknown command '" + command + "'; known: put, range, txn-put, watch-latency, lease-keepalive");
        }
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) throw new UsageException("--endpoints: at least one host:port");
        if (clients < 1 || conns < 1) throw new UsageException("--clients and --conns must be at least 1");
        if (total < 1 && duration == null) throw new UsageException("--total or --duration must be given");
        if (keySize < 1 || valSize < 0 || keySpaceSize < 1 || txnOps < 1 || streams < 1 || watchersPerStream < 1) {
            throw new UsageException("sizes and counts must be positive");
        }
        if (rate < 0) throw new UsageException("--rate must not be negative");
        if (command.equals("txn-put") && keySpaceSize < txnOps) {
            throw new UsageException("--key-space-size must be at least --txn-ops: a transaction puts distinct keys");
        }
    }

    /** Usage text for {@code --help} and for errors. */
    public static String usage() {
        return """
                usage: load <command> [options]
                commands:
                  put              puts; --key-size 8 --val-size 8 --key-space-size 1 --sequential-keys
                  range            gets of one key (put once before the run); --consistency l|s --key-size --val-size
                  txn-put          transactions of --txn-ops puts of distinct keys (default 1); --key-size --val-size
                                   --key-space-size (at least --txn-ops) --sequential-keys
                  watch-latency    --streams 10 --watchers-per-stream 10 watch one key; puts at --rate (default 100/s);
                                   latency = put acknowledged -> event received, per watcher (0 when the event
                                   came first); put sent -> event in the extra figures
                  lease-keepalive  each client grants a lease (--ttl 60) and keeps it alive over its own stream
                options:
                  --endpoints h:p[,h:p]  default 127.0.0.1:2379
                  --total N              requests (default 10000 unless --duration is given)
                  --duration 10s         send for this long (s, ms or m suffix; plain number = seconds)
                  --clients 1 --conns 1  clients (one request in flight each) over that many connections
                  --rate R               requests per second over all clients (0 = unlimited)
                  --json FILE            also write the result as JSON
                  --quiet                no table on standard output
                """;
    }

    /** Parses {@code command [options]}; throws {@link UsageException} naming the bad argument. */
    public static LoadOptions parse(List<String> args) {
        if (args.isEmpty()) throw new UsageException("no command given");
        String command = args.get(0);
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flags = Set.of("sequential-keys", "quiet");
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) throw new UsageException("unexpected argument '" + arg + "'");
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (flags.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= args.size()) throw new UsageException("--" + name + " needs a value");
                value = args.get(++i);
            }
            values.put(name, value);
        }
        Map<String, String> left = new LinkedHashMap<>(values);
        String consistency = take(left, "consistency", "l");
        if (!consistency.equals("l") && !consistency.equals("s")) {
            throw new UsageException("--consistency must be l (linearizable) or s (serializable), not '" + consistency + "'");
        }
        Duration duration = left.containsKey("duration") ? parseDuration(take(left, "duration", null)) : null;
        double defaultRate = command.equals("watch-latency") ? 100 : 0;
        long total = integer(left, "total", duration == null ? 10_000 : Long.MAX_VALUE);
        List<String> endpoints = new ArrayList<>();
        for (String endpoint : take(left, "endpoints", "127.0.0.1:2379").split(",")) {
            String trimmed = endpoint.trim().replaceFirst("^https?://", "");
            if (!trimmed.isEmpty()) endpoints.add(trimmed);
        }
        LoadOptions options = new LoadOptions(command, endpoints, total, duration,
                (int) integer(left, "clients", 1), (int) integer(left, "conns", 1),
                Double.parseDouble(take(left, "rate", String.valueOf(defaultRate))),
                left.containsKey("json") ? Path.of(take(left, "json", null)) : null,
                (int) integer(left, "key-size", 8), (int) integer(left, "val-size", 8),
                Boolean.parseBoolean(take(left, "sequential-keys", "false")),
                integer(left, "key-space-size", 1), consistency.equals("s"),
                (int) integer(left, "txn-ops", 1), (int) integer(left, "streams", 10),
                (int) integer(left, "watchers-per-stream", 10), integer(left, "ttl", 60),
                Boolean.parseBoolean(take(left, "quiet", "false")));
        if (!left.isEmpty()) throw new UsageException("unknown option --" + left.keySet().iterator().next());
        return options;
    }

    /** A one-line description for tables: "put, 1000 clients, 100 conns". */
    public String describe() {
        return switch (command) {
            case "watch-latency" -> command + ", " + streams * watchersPerStream + " watchers on " + streams
                    + " streams, puts at " + (long) rate + "/s";
            case "range" -> command + " (" + (serializable ? "serializable" : "linearizable") + "), "
                    + clients + " clients, " + conns + " conns";
            default -> command + ", " + clients + " clients, " + conns + " conns";
        };
    }

    private static String take(Map<String, String> values, String name, String fallback) {
        String value = values.remove(name);
        return value == null ? fallback : value;
    }

    private static long integer(Map<String, String> values, String name, long fallback) {
        String value = take(values, name, null);
        if (value == null) return fallback;
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, not '" + value + "'");
        }
    }

    static Duration parseDuration(String text) {
        try {
            if (text.endsWith("ms")) return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            if (text.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
            if (text.endsWith("m")) return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
            return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException("--duration must look like 10s, 500ms or 2m, not '" + text + "'");
        }
    }
}
