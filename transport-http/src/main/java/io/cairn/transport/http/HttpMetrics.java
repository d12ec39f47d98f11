package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpServerExchange;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code /metrics} shows, through Micrometer's Prometheus registry: requests of this endpoint
 * (count and latency per route, method and status), the streams it holds open, and the member's
 * figures the {@link Cairn} api exposes — read from {@code Maintenance.status()} and
 * {@code Lease.leases()} at each scrape. etcd's {@code etcd_server_proposals_committed_total} and
 * {@code _applied_total} are gauges of the member's commit and applied indexes in etcd; here they are the
 * same values, from Status, typed as counters (the Prometheus registry reserves {@code _total} for
 * counters; the indexes only grow). Raft leader changes, pending and failed proposals, fsync latency and
 * the member's watcher count are not in the api, so they are not here.
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

    HttpMetrics(Cairn cairn) {
        this.cairn = cairn;
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
        CompletableFuture<Void> leaseCount = cairn.lease().leases().thenAccept(answer -> leases.set(answer.leases().size()));
        // a member that cannot answer still gets its request figures scraped, with the last known values
        return CompletableFuture.allOf(status, leaseCount)
                .orTimeout(5, TimeUnit.SECONDS)
                .handle((ignored, failure) -> registry.scrape());
    }

    void close() {
        registry.close();
    }
}
