package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.b64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.api.Bytes;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a real member shows the member's own figures under etcd's names: leader changes,
 * proposals pending, the disk histograms, and the watcher gauges following watchers as they open and close.
 */
class MetricsTest {

    @TempDir
    static Path dir;

    static HttpServerFixture http;

    @BeforeAll
    static void start() {
        http = new HttpServerFixture(dir);
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void leaderChangesAndProposalsUseEtcdNames() {
        String text = scrape();
        assertTrue(value(text, "etcd_server_leader_changes_seen_total").orElseThrow() >= 1, text);
        assertEquals(1, value(text, "etcd_server_has_leader").orElseThrow(), text);
        assertTrue(text.contains("# TYPE etcd_server_leader_changes_seen_total counter"), text);
        assertTrue(text.contains("# TYPE etcd_server_proposals_failed_total counter"), text);
        assertEquals(0, value(text, "etcd_server_proposals_failed_total").orElseThrow(), text);
        http.ok("/v3/kv/put", "{\"key\":\"" + b64("metrics-p") + "\",\"value\":\"" + b64("v") + "\"}");
        awaitMetric("etcd_server_proposals_pending", v -> v == 0);
        double leases = value(scrape(), "cairn_leases").orElseThrow();
        http.ok("/v3/lease/grant", "{\"TTL\":\"600\"}");
        awaitMetric("cairn_leases", v -> v == leases + 1);
    }

    @Test
    void walFsyncHistogramCountsTheLogsSyncedWrites() {
        double before = value(scrape(), "etcd_disk_wal_fsync_duration_seconds_count").orElse(0);
        for (int i = 0; i < 5; i++) {
            http.ok("/v3/kv/put", "{\"key\":\"" + b64("metrics-f" + i) + "\",\"value\":\"" + b64("v") + "\"}");
        }
        String text = scrape();
        assertTrue(text.contains("# TYPE etcd_disk_wal_fsync_duration_seconds histogram"), text);
        assertTrue(value(text, "etcd_disk_wal_fsync_duration_seconds_count").orElseThrow() >= before + 5, text);
        assertTrue(value(text, "etcd_disk_wal_fsync_duration_seconds_sum").orElseThrow() > 0, text);
        // etcd's buckets: 1 ms doubling, the +Inf bucket holding every sample
        assertTrue(text.contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"}"), text);
        assertTrue(text.contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"8.192\"}"), text);
        assertEquals(value(text, "etcd_disk_wal_fsync_duration_seconds_count").orElseThrow(),
                value(text, "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"}").orElseThrow(), text);
        assertTrue(text.contains("# TYPE etcd_disk_backend_commit_duration_seconds histogram"), text);
        assertTrue(text.contains("etcd_mvcc_db_total_size_in_bytes"), text);
    }

    @Test
    void watcherGaugeFollowsOpenWatchers() {
        double before = value(scrape(), "etcd_debugging_mvcc_watcher_total").orElseThrow();
        List<Flow.Subscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
            http.server.client().watch().watch(WatchCreateRequest.of(Bytes.fromUtf8("metrics-w" + i)))
                    .subscribe(new Flow.Subscriber<WatchResponse>() {
                        @Override public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                            subscribed.complete(s);
                        }
                        @Override public void onNext(WatchResponse item) { }
                        @Override public void onError(Throwable t) { }
                        @Override public void onComplete() { }
                    });
            subscriptions.add(subscribed.orTimeout(20, TimeUnit.SECONDS).join());
        }
        awaitMetric("etcd_debugging_mvcc_watcher_total", v -> v == before + 3);
        assertTrue(value(scrape(), "etcd_debugging_mvcc_watch_stream_total").orElseThrow() >= 3);
        subscriptions.forEach(Flow.Subscription::cancel);
        awaitMetric("etcd_debugging_mvcc_watcher_total", v -> v == before);
    }

    private static String scrape() {
        HttpResponse<String> response = http.get("/metrics");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static void awaitMetric(String name, DoublePredicate wanted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String text = scrape();
        while (value(text, name).isEmpty() || !wanted.test(value(text, name).getAsDouble())) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + name + " in\n" + text);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
            text = scrape();
        }
    }

    /** The value of the sample named exactly {@code sample} (labels included), if the text has it. */
    static OptionalDouble value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1).replace("+Inf", "Infinity")))
                : OptionalDouble.empty();
    }
}
