package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's {@code --listen-metrics-urls} endpoint of the {@code http} transport, found by id as the server
 * finds it: {@code /metrics} and {@code /health} and nothing else; and etcd 3.5's {@code /health} with
 * {@code ?exclude=NOSPACE} and {@code ?serializable=true}.
 */
class MetricsEndpointTest {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void servesMetricsAndHealthOnly() {
        HttpServerFixture http = new HttpServerFixture(dir);
        running.add(http);
        URI metrics = startMetrics(http.server);

        HttpResponse<String> scrape = get(metrics, "/metrics");
        assertEquals(200, scrape.statusCode(), scrape.body());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(scrape.body().contains("etcd_server_has_leader 1"), scrape.body());
        assertTrue(scrape.body().contains("etcd_disk_wal_fsync_duration_seconds_count"), scrape.body());

        HttpResponse<String> health = get(metrics, "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", health.body());
        assertEquals(200, get(metrics, "/readyz").statusCode());
        assertEquals(200, get(metrics, "/livez").statusCode());

        // the client API stays on the client URLs
        assertEquals(404, get(metrics, "/version").statusCode());
        assertEquals(404, get(metrics, "/v2/keys/a").statusCode());
        HttpResponse<String> put = send(HttpRequest.newBuilder(metrics.resolve("/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"YQ==\",\"value\":\"Yg==\"}")));
        assertEquals(404, put.statusCode(), put.body());
        assertEquals(200, http.get("/version").statusCode());

        HttpResponse<String> post = send(HttpRequest.newBuilder(metrics.resolve("/health"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(405, post.statusCode(), post.body());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void noSpaceAlarmFailsHealthUnlessExcluded() throws Exception {
        HttpServerFixture http = new HttpServerFixture(dir);
        running.add(http);
        URI metrics = startMetrics(http.server);
        CairnServer server = http.server;
        server.client().maintenance()
                .alarm(new AlarmRequest(AlarmRequest.Action.ACTIVATE, server.memberId(), AlarmType.NOSPACE))
                .get(20, TimeUnit.SECONDS);

        for (URI base : List.of(metrics, http.base)) {
            HttpResponse<String> alarmed = get(base, "/health");
            assertEquals(503, alarmed.statusCode(), alarmed.body());
            assertEquals("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n", alarmed.body());
            HttpResponse<String> excluded = get(base, "/health?exclude=NOSPACE");
            assertEquals(200, excluded.statusCode(), excluded.body());
            assertEquals(200, get(base, "/health?exclude=NOSPACE&serializable=true").statusCode());
            assertEquals(503, get(base, "/health?exclude=CORRUPT").statusCode());
        }

        server.client().maintenance()
                .alarm(new AlarmRequest(AlarmRequest.Action.DEACTIVATE, server.memberId(), AlarmType.NOSPACE))
                .get(20, TimeUnit.SECONDS);
        assertEquals(200, get(metrics, "/health").statusCode());
    }

    /** A member whose cluster lost its quorum has no leader; serializable=true still finds it live, as etcd. */
    @Test
    void serializableHealthNeedsNoLeader() throws Exception {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("h" + i, List.of(URI.create("http://127.0.0.1:" + freePort())));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<URI> peer = initial.get("h" + i);
            CairnServer.Builder builder = CairnServer.builder().name("h" + i).dataDir(dir.resolve("h" + i))
                    .storage("rocksdb").peerUrls(peer).listenPeerUrls(peer).initialCluster(initial)
                    .peerTransport("http").clientUrls(List.of(URI.create("http://127.0.0.1:0")))
                    .transports(List.of("http"));
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        List<CairnServer> members = new ArrayList<>();
        for (CompletableFuture<CairnServer> member : starting) {
            CairnServer started = member.join();
            members.add(started);
            running.add(started::close);
        }
        await("a leader", () -> members.stream().filter(CairnServer::isLeader).count() == 1);
        CairnServer survivor = members.stream().filter(m -> !m.isLeader()).findFirst().orElseThrow();
        URI metrics = startMetrics(survivor);
        assertEquals(200, get(metrics, "/health").statusCode());

        for (CairnServer member : members) {
            if (member != survivor) {
                member.close();
            }
        }
        await("the survivor to lose its leader", () -> get(metrics, "/health").statusCode() == 503);
        HttpResponse<String> linearizable = get(metrics, "/health");
        assertEquals("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n", linearizable.body());
        HttpResponse<String> serializable = get(metrics, "/health?serializable=true");
        assertEquals(200, serializable.statusCode(), serializable.body());
        assertEquals("{\"health\":\"true\",\"reason\":\"\"}", serializable.body());
    }

    private URI startMetrics(CairnServer server) {
        TransportProvider http = TransportProviders.byId("http");
        assertTrue(http.servesMetrics());
        ClientEndpoint endpoint = http.startMetricsEndpoint(server.clientIdentities(),
                ClientEndpointConfig.of(URI.create("http://127.0.0.1:0")));
        running.add(endpoint);
        return endpoint.boundUrls().get(0);
    }

    private HttpResponse<String> get(URI base, String pathAndQuery) {
        return send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
