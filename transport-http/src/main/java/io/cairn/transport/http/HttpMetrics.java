package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ServerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.undertow.server.HttpServerExchange;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@code /metrics} shows, through Micrometer's Prometheus registry: requests of this endpoint
 * (count and latency per route, method and status), the streams it holds open, and the member's
 * figures the {@link Cairn} api exposes — read from {@code Maintenance.status()} and
 * {@code Lease.leases()} at each scrape. etcd's {@code etcd_server_proposals_committed_total} and
 * {@code _applied_total} are gauges of the member's commit and applied indexes in etcd; here they are the
 * same values, from Status, typed as counters (the Prometheus registry reserves {@code _total} for
 * counters; the indexes only grow).
 *
 * <p>The figures the api does not carry come from the member's {@link ServerStats} when the endpoint serves a
 * member of this process: leader changes, pending and failed proposals, the disk histograms (etcd's
 * {@code etcd_disk_wal_fsync_duration_seconds} and {@code etcd_disk_backend_commit_duration_seconds}, with
 * etcd's buckets, registered as collectors of the underlying Prometheus registry) and the watcher gauges.
 * etcd's two watcher gauges end in {@code _total}, which the Java Prometheus client reserves for counters, so
 * they are written after the registry's text, by hand, under etcd's exact names.
 */
final class HttpMetrics {

    private final Cairn cairn;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong hasLeader = new AtomicLong();
    private final AtomicLong isLeader = new AtomicLong();
    private final AtomicLong raftTerm = new AtomicLong();
    private final AtomicLong raftIndex = new AtomicLong();
    private final AtomicLong raftAppliedIndex = new AtomicLong();
    private final AtomicLong dbSize = new AtomicLong();
    private final AtomicLong dbSizeInUse = new AtomicLong();
    private final AtomicLong leases = new AtomicLong();
    private final AtomicLong openStreams = new AtomicLong();
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong proposalsPending = new AtomicLong();
    private final AtomicLong proposalsFailed = new AtomicLong();
    private final Supplier<Optional<ServerStats>> serverStats;
    private volatile ServerStats lastStats;

    HttpMetrics(Cairn cairn, Supplier<Optional<ServerStats>> serverStats) {
        this.cairn = cairn;
        this.serverStats = serverStats;
        FunctionCounter.builder("etcd_server_leader_changes_seen", leaderChanges, AtomicLong::get)
                .description("The number of leader changes seen.").register(registry);
        Gauge.builder("etcd_server_proposals_pending", proposalsPending, AtomicLong::get)
                .description("The current number of pending proposals to commit.").register(registry);
        FunctionCounter.builder("etcd_server_proposals_failed", proposalsFailed, AtomicLong::get)
                .description("The total number of failed proposals seen.").register(registry);
        registry.getPrometheusRegistry().register(histogram("etcd_disk_wal_fsync_duration_seconds",
                "The latency distributions of fsync called by WAL.", ServerStats::walFsync));
        registry.getPrometheusRegistry().register(histogram("etcd_disk_backend_commit_duration_seconds",
                "The latency distributions of commit called by backend.", ServerStats::backendCommit));
        // etcd's own names where the meaning is the same
        Gauge.builder("etcd_server_has_leader", hasLeader, AtomicLong::get)
                .description("Whether a leader exists: 1 yes, 0 no").register(registry);
        Gauge.builder("etcd_server_is_leader", isLeader, AtomicLong::get)
                .description("Whether or not this member is a leader. 1 if is, 0 otherwise.").register(registry);
        FunctionCounter.builder("etcd_server_proposals_committed", raftIndex, AtomicLong::get)
                .description("The total number of consensus proposals committed.").register(registry);
        FunctionCounter.builder("etcd_server_proposals_applied", raftAppliedIndex, AtomicLong::get)
                .description("The total number of consensus proposals applied.").register(registry);
        Gauge.builder("etcd_mvcc_db_total_size_in_bytes", dbSize, AtomicLong::get)
                .description("Total size of the underlying database physically allocated, in bytes").register(registry);
        Gauge.builder("etcd_mvcc_db_total_size_in_use_in_bytes", dbSizeInUse, AtomicLong::get)
                .description("Total size of the underlying database logically in use, in bytes").register(registry);
        Gauge.builder("cairn_raft_term", raftTerm, AtomicLong::get)
                .description("The member's Raft term").register(registry);
        Gauge.builder("cairn_raft_commit_index", raftIndex, AtomicLong::get)
                .description("The member's Raft commit index").register(registry);
        Gauge.builder("cairn_raft_applied_index", raftAppliedIndex, AtomicLong::get)
                .description("The member's Raft applied index").register(registry);
        Gauge.builder("cairn_leases", leases, AtomicLong::get)
                .description("Leases granted and not yet expired or revoked").register(registry);
        Gauge.builder("cairn_http_open_streams", openStreams, AtomicLong::get)
                .description("v3 watch streams and v2 long polls this endpoint holds open").register(registry);
    }

    /** A collector that renders one of the member's histograms as of the last scrape (nothing before it). */
    private Collector histogram(String name, String help, Function<ServerStats, ServerStats.Histogram> figure) {
        return new Collector() {
            @Override
            public MetricSnapshot collect() {
                HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
                ServerStats stats = lastStats;
                if (stats != null) {
                    ServerStats.Histogram h = figure.apply(stats);
                    double[] bounds = new double[h.upperBounds().size() + 1];
                    for (int i = 0; i < h.upperBounds().size(); i++) {
                        bounds[i] = h.upperBounds().get(i);
                    }
                    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
                    long[] counts = h.bucketCounts().stream().mapToLong(Long::longValue).toArray();
                    snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                            .sum(h.sumSeconds())
                            .build());
                }
                return snapshot.build();
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        };
    }

    /** Times {@code exchange} under {@code route} when it completes. */
    void time(HttpServerExchange exchange, String route) {
        long start = System.nanoTime();
        String method = exchange.getRequestMethod().toString();
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                Timer.builder("cairn_http_requests")
                        .description("HTTP requests served, by route, method and status")
                        .tag("route", route)
                        .tag("method", method)
                        .tag("code", Integer.toString(ex.getStatusCode()))
                        .register(registry)
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } finally {
                next.proceed();
            }
        });
    }

    void streamOpened() {
        openStreams.incrementAndGet();
    }

    void streamClosed() {
        openStreams.decrementAndGet();
    }

    /** Refreshes the member's figures, then renders every meter in Prometheus' text format. */
    CompletableFuture<String> scrape() {
        CompletableFuture<Void> status = cairn.maintenance().status().thenAccept(answer -> {
            hasLeader.set(answer.leader() != 0 ? 1 : 0);
            isLeader.set(answer.leader() != 0 && answer.leader() == answer.header().memberId() ? 1 : 0);
            raftTerm.set(answer.raftTerm());
            raftIndex.set(answer.raftIndex());
            raftAppliedIndex.set(answer.raftAppliedIndex());
            dbSize.set(answer.dbSize());
            dbSizeInUse.set(answer.dbSizeInUse());
        });
        Optional<ServerStats> stats = serverStats.get();
        // the member's own lease count when it is there; else the api's list
        CompletableFuture<Void> leaseCount = stats.isPresent() ? CompletableFuture.completedFuture(null)
                : cairn.lease().leases().thenAccept(answer -> leases.set(answer.leases().size()));
        stats.ifPresent(figures -> {
            lastStats = figures;
            leases.set(figures.leases());
            leaderChanges.set(figures.leaderChangesSeen());
            proposalsPending.set(figures.proposalsPending());
            proposalsFailed.set(figures.proposalsFailed());
        });
        // a member that cannot answer still gets its request figures scraped, with the last known values
        return CompletableFuture.allOf(status, leaseCount)
                .orTimeout(5, TimeUnit.SECONDS)
                .handle((ignored, failure) -> registry.scrape() + stats.map(HttpMetrics::totalGauges).orElse(""));
    }

    /** etcd's watcher gauges, whose names end in {@code _total}, in Prometheus' text format. */
    private static String totalGauges(ServerStats stats) {
        return gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.", stats.watchers())
                + gauge("etcd_debugging_mvcc_watch_stream_total", "Total number of watch streams.", stats.watchStreams());
    }

    private static String gauge(String name, String help, long value) {
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + value + "\n";
    }

    void close() {
        registry.close();
    }
}
