package io.cairn.benchmark.sidebyside;

import com.google.protobuf.ByteString;
import io.cairn.benchmark.load.LoadGenerator;
import io.cairn.benchmark.load.LoadOptions;
import io.cairn.benchmark.load.LoadResult;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The side-by-side runner behind {@code bin/benchmark-vs-etcd}: starts etcd and then Cairn on
 * 127.0.0.1 (one at a time, data directories side by side on one disk), runs the same load-generator
 * workloads against each, samples each server's RSS, measures start-up and restart with N keys, and
 * writes {@code vs-etcd.md} (table), {@code vs-etcd.png} (chart) and {@code vs-etcd.json} (every result).
 *
 * <p>Rows are {@link Workload}s with a {@link Topology}: the single-member rows run against one
 * member, the three-member rows against a fresh cluster of three members on 127.0.0.1 (the load
 * generator's connections spread over the three, as etcd's benchmark tool spreads them).
 */
public final class SideBySideMain {

    /** How many members a row runs against. */
    enum Topology {
        SINGLE(1),
        CLUSTER_3(3);

        final int members;

        Topology(int members) {
            this.members = members;
        }
    }

    /** One row of the table: a label, the topology, and the load generator's arguments (no endpoints/duration). */
    record Workload(String label, Topology topology, List<String> args) {
    }

    /** Put arguments shared by the put rows: etcd's documented 8-byte keys, 256-byte values. */
    static final List<String> PUT_SHAPE = List.of("--key-size", "8", "--val-size", "256", "--sequential-keys",
            "--key-space-size", "100000000");

    static List<Workload> workloads() {
        List<Workload> rows = new ArrayList<>();
        rows.add(new Workload("put, 1 client, 1 conn", Topology.SINGLE,
                concat(List.of("put", "--clients", "1", "--conns", "1"), PUT_SHAPE)));
        rows.add(new Workload("put, 1000 clients, 100 conns", Topology.SINGLE,
                concat(List.of("put", "--clients", "1000", "--conns", "100"), PUT_SHAPE)));
        for (String consistency : List.of("l", "s")) {
            String name = consistency.equals("l") ? "linearizable" : "serializable";
            rows.add(new Workload("range " + name + ", 1 client", Topology.SINGLE,
                    List.of("range", "--consistency", consistency, "--clients", "1", "--conns", "1", "--val-size", "256")));
            rows.add(new Workload("range " + name + ", 100 clients", Topology.SINGLE,
                    List.of("range", "--consistency", consistency, "--clients", "100", "--conns", "10", "--val-size", "256")));
        }
        rows.add(new Workload("txn-put, 100 clients", Topology.SINGLE,
                List.of("txn-put", "--clients", "100", "--conns", "10", "--key-size", "8", "--val-size", "256",
                        "--key-space-size", "100000")));
        rows.add(new Workload("watch latency, 100 watchers (puts at 100/s)", Topology.SINGLE,
                List.of("watch-latency", "--streams", "10", "--watchers-per-stream", "10", "--conns", "10",
                        "--rate", "100", "--val-size", "256")));
        rows.add(new Workload("lease keep-alive, 100 clients", Topology.SINGLE,
                List.of("lease-keepalive", "--clients", "100", "--conns", "10")));
        rows.add(new Workload("put, 1 client, 1 conn, 3 members", Topology.CLUSTER_3,
                concat(List.of("put", "--clients", "1", "--conns", "1"), PUT_SHAPE)));
        rows.add(new Workload(RSS_WORKLOAD_3, Topology.CLUSTER_3,
                concat(List.of("put", "--clients", "1000", "--conns", "100"), PUT_SHAPE)));
        rows.add(new Workload("range linearizable, 100 clients, 3 members", Topology.CLUSTER_3,
                List.of("range", "--consistency", "l", "--clients", "100", "--conns", "10", "--val-size", "256")));
        return rows;
    }

    /** The workload whose run the peak-RSS row reports. */
    static final String RSS_WORKLOAD = "put, 1000 clients, 100 conns";
    /** The three-member workload whose run the three-member peak-RSS row reports. */
    static final String RSS_WORKLOAD_3 = "put, 1000 clients, 100 conns, 3 members";

    /**
     * Keys stored for the restart row, loaded by transactions of this many puts each (etcd's
     * {@code --max-txn-ops} is 128), so that a million keys load in well under a minute.
     */
    static final int LOAD_TXN_OPS = 100;

    /** Figures of one server that are not request rates: RSS, start-up, restart. Keys in table order. */
    static final String PEAK_RSS = "peak RSS during put, 1000 clients (MiB)";
    static final String PEAK_RSS_3 = "peak RSS during put, 1000 clients, 3 members (MiB, sum of the members)";
    static final String HWM = "peak RSS of the whole single-member run, VmHWM (MiB)";
    static final String STARTUP = "start-up, empty data dir (ms)";
    static final String LOAD_KEYS = "loading the keys, txn-put of " + LOAD_TXN_OPS + " keys, 100 clients (s)";
    static final String RESTART = "restart with the keys stored (ms)";
    static final String KEYS_AFTER = "keys after restart";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        boolean longRun = options.containsKey("long");
        String duration = options.getOrDefault("duration", longRun ? "60s" : "8s");
        long keys = Long.parseLong(options.getOrDefault("keys", "1000000"));
        if (keys % LOAD_TXN_OPS != 0) throw new IllegalArgumentException("--keys must be a multiple of " + LOAD_TXN_OPS);
        Path work = Path.of(options.getOrDefault("work-dir", "benchmark/target/vs-etcd")).toAbsolutePath();
        Path out = Path.of(options.getOrDefault("out", "benchmark/results")).toAbsolutePath();
        List<ServerKind> servers = new ArrayList<>();
        servers.add(ServerKind.etcd(Path.of(options.getOrDefault("etcd",
                System.getenv().getOrDefault("BENCH_ETCD", "/usr/bin/etcd")))));
        servers.add(ServerKind.cairn(Path.of(options.getOrDefault("cairn",
                "distribution/target/cairn-0.1.0-SNAPSHOT/bin/cairn")).toAbsolutePath()));

        deleteTree(work);
        Files.createDirectories(work);
        Files.createDirectories(out);
        RunReport report = new RunReport(Instant.now(), duration, keys, String.join(" ", args), workloads());
        report.loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        for (ServerKind server : servers) {
            System.out.println("== " + server.name() + " (" + server.executable() + ")");
            report.results.put(server.name(), new LinkedHashMap<>());
            report.figures.put(server.name(), new LinkedHashMap<>());
            measureWorkloads(server, work, duration, report);
            measureCluster(server, work, duration, report);
            measureRestart(server, work, keys, report);
        }
        report.loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        report.serverVersions = versions(servers);
        Files.writeString(out.resolve("vs-etcd.md"), report.markdown());
        Files.writeString(out.resolve("vs-etcd.json"), report.json());
        Chart.write(report, out.resolve("vs-etcd.png"));
        System.out.println(report.markdown());
        System.out.println("wrote " + out.resolve("vs-etcd.md") + ", vs-etcd.png, vs-etcd.json");
    }

    /** Fresh data directory: start-up time, a warm-up, every workload, RSS. */
    private static void measureWorkloads(ServerKind server, Path work, String duration, RunReport report) throws Exception {
        Path dataDir = work.resolve(server.name().toLowerCase() + "-workloads");
        Path log = work.resolve(server.name().toLowerCase() + ".log");
        try (Member member = Member.start(server, dataDir, log, 0, 0, false);
             RssSampler rss = new RssSampler(member)) {
            report.figures.get(server.name()).put(STARTUP, member.startNanos / 1e6);
            System.out.printf("start-up: %.0f ms%n", member.startNanos / 1e6);
            // warm-up, not reported: the JIT of both the client and Cairn, etcd's page cache
            run(List.of("put", "--clients", "100", "--conns", "10", "--key-size", "8", "--val-size", "256",
                    "--key-space-size", "1000"), member, "5s");
            for (Workload workload : report.workloads) {
                // the three-member rows get their own phase with three members started the same way
                if (workload.topology() != Topology.SINGLE) continue;
                rss.resetWindow();
                LoadResult result = run(workload.args(), member, duration);
                report.results.get(server.name()).put(workload.label(), result);
                System.out.print(result.table());
                if (workload.label().equals(RSS_WORKLOAD)) {
                    report.figures.get(server.name()).put(PEAK_RSS, rss.windowPeakKib() / 1024.0);
                }
            }
            report.figures.get(server.name()).put(HWM, member.statusKib("VmHWM") / 1024.0);
        }
    }

    /** A fresh three-member cluster: a warm-up, the three-member workloads, the members' summed RSS. */
    private static void measureCluster(ServerKind server, Path work, String duration, RunReport report) throws Exception {
        List<Member> members = Member.startCluster(server, work.resolve(server.name().toLowerCase() + "-cluster"), work, 3);
        List<RssSampler> samplers = new ArrayList<>();
        try {
            for (Member member : members) samplers.add(new RssSampler(member));
            run(List.of("put", "--clients", "100", "--conns", "10", "--key-size", "8", "--val-size", "256",
                    "--key-space-size", "1000"), members, "5s");
            for (Workload workload : report.workloads) {
                if (workload.topology() != Topology.CLUSTER_3) continue;
                samplers.forEach(RssSampler::resetWindow);
                LoadResult result = run(workload.args(), members, duration);
                report.results.get(server.name()).put(workload.label(), result);
                System.out.print(result.table());
                if (workload.label().equals(RSS_WORKLOAD_3)) {
                    // each member's own peak within the window: an upper bound of the summed peak
                    report.figures.get(server.name()).put(PEAK_RSS_3,
                            samplers.stream().mapToLong(RssSampler::windowPeakKib).sum() / 1024.0);
                }
            }
        } finally {
            samplers.forEach(RssSampler::close);
            members.forEach(Member::close);
        }
    }

    /** Fresh data directory: load N keys, stop, and time the restart until the member answers. */
    private static void measureRestart(ServerKind server, Path work, long keys, RunReport report) throws Exception {
        Path dataDir = work.resolve(server.name().toLowerCase() + "-restart");
        Path log = work.resolve(server.name().toLowerCase() + "-restart.log");
        int clientPort;
        int peerPort;
        try (Member member = Member.start(server, dataDir, log, 0, 0, false)) {
            clientPort = member.clientPort;
            peerPort = member.peerPort;
            LoadResult load = run(List.of("txn-put", "--txn-ops", String.valueOf(LOAD_TXN_OPS), "--clients", "100",
                    "--conns", "10", "--key-size", "8", "--val-size", "256", "--sequential-keys",
                    "--key-space-size", String.valueOf(keys), "--total", String.valueOf(keys / LOAD_TXN_OPS)), member, null);
            System.out.print(load.table());
            report.figures.get(server.name()).put(LOAD_KEYS, load.seconds());
            member.stop();
        }
        try (Member member = Member.start(server, dataDir, log, clientPort, peerPort, true)) {
            report.figures.get(server.name()).put(RESTART, member.startNanos / 1e6);
            report.figures.get(server.name()).put(KEYS_AFTER, (double) countKeys(member));
            System.out.printf("restart with %d keys: %.0f ms%n", keys, member.startNanos / 1e6);
        }
    }

    private static LoadResult run(List<String> workload, Member member, String duration) throws InterruptedException {
        return run(workload, List.of(member), duration);
    }

    private static LoadResult run(List<String> workload, List<Member> members, String duration) throws InterruptedException {
        List<String> args = new ArrayList<>(workload);
        args.addAll(List.of("--endpoints", String.join(",", members.stream().map(Member::endpoint).toList())));
        if (duration != null) args.addAll(List.of("--duration", duration));
        return LoadGenerator.run(LoadOptions.parse(args));
    }

    private static long countKeys(Member member) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", member.clientPort).usePlaintext().build();
        try {
            return KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
                            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).build())
                    .getCount();
        } finally {
            channel.shutdownNow();
        }
    }

    private static Map<String, String> versions(List<ServerKind> servers) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (ServerKind server : servers) {
            List<String> command = server.name().equals("etcd") ? List.of(server.executable().toString(), "--version")
                    : List.of(server.executable().toString(), "version");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String text = new String(process.getInputStream().readAllBytes()).lines().findFirst().orElse("?").trim();
                process.waitFor(30, TimeUnit.SECONDS);
                // "etcd Version: 3.4.23", "Cairn Version: 0.1.0-SNAPSHOT": the last word is the version
                versions.put(server.name(), text.substring(text.lastIndexOf(' ') + 1));
            } catch (IOException | InterruptedException e) {
                versions.put(server.name(), "?");
            }
        }
        return versions;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
            String name = args[i].substring(2);
            if (name.equals("long")) {
                options.put(name, "true");
            } else if (name.contains("=")) {
                options.put(name.substring(0, name.indexOf('=')), name.substring(name.indexOf('=') + 1));
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                options.put(name, args[++i]);
            }
        }
        return options;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
    }
}
