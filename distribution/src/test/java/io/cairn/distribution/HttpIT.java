package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged server serves etcd's HTTP APIs with the {@code http} transport on
 * {@code --listen-client-http-urls} (default: client port + 1), on the pure module path of
 * {@code bin/cairn}: the v3 JSON gateway, the v2 keys API (driven by etcdctl with ETCDCTL_API=2),
 * /health and /version — on the same store the gRPC clients see.
 */
class HttpIT {

    private static CairnProcess server;

    @BeforeAll
    static void startServer() {
        Etcdctl.find();
        server = CairnProcess.start(CairnProcess.newDataDir("http"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private record Answer(int status, String body) {}

    private static Answer call(String method, String path, String body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) server.httpUrl().resolve(path).toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(20_000);
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = connection.getResponseCode();
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            return new Answer(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            connection.disconnect();
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theHttpUrlIsItsOwn() {
        assertTrue(server.httpUrl().getPort() != server.clientUrl().getPort(), server.httpUrl() + " vs " + server.clientUrl());
    }

    @Test
    void v3GatewayWritesWhatGrpcClientsRead() throws Exception {
        Answer put = call("POST", "/v3/kv/put", "{\"key\": \"" + b64("gw") + "\", \"value\": \"" + b64("from-http") + "\"}");
        assertEquals(200, put.status(), put.body());
        assertTrue(put.body().startsWith("{\"header\":{\"cluster_id\":\""), put.body());
        Answer range = call("POST", "/v3/kv/range", "{\"key\": \"" + b64("gw") + "\"}");
        assertTrue(range.body().contains("\"value\":\"" + b64("from-http") + "\"") && range.body().contains("\"count\":\"1\""),
                range.body());
        assertEquals("from-http", new Etcdctl(server.endpoint()).ok("get", "gw", "--print-value-only").trim());
        Answer bad = call("POST", "/v3/kv/put", "{not json");
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("\"code\":3"), bad.body());
    }

    @Test
    void healthAndVersion() throws Exception {
        Answer health = call("GET", "/health", null);
        assertEquals(200, health.status(), health.body());
        assertTrue(health.body().contains("\"health\":\"true\""), health.body());
        assertEquals("{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}", call("GET", "/version", null).body());
        assertTrue(call("GET", "/metrics", null).body().contains("etcd_server_has_leader 1"));
    }

    @Test
    void memberFiguresInMetricsAndV2Stats() throws Exception {
        assertEquals(200, call("POST", "/v3/kv/put", "{\"key\": \"" + b64("m") + "\", \"value\": \"" + b64("v") + "\"}").status());
        String metrics = call("GET", "/metrics", null).body();
        for (String name : List.of("etcd_server_leader_changes_seen_total ", "etcd_server_proposals_pending ",
                "etcd_server_proposals_failed_total ", "etcd_disk_wal_fsync_duration_seconds_count ",
                "etcd_disk_backend_commit_duration_seconds_count ", "etcd_debugging_mvcc_watcher_total ")) {
            assertTrue(metrics.contains("\n" + name), name + " in\n" + metrics);
        }
        Answer self = call("GET", "/v2/stats/self", null);
        assertEquals(200, self.status(), self.body());
        assertTrue(self.body().contains("\"state\":\"StateLeader\""), self.body());
        Answer leader = call("GET", "/v2/stats/leader", null);
        assertEquals(200, leader.status(), leader.body());
        assertTrue(leader.body().contains("\"followers\":{}"), leader.body());
    }

    @Test
    void etcdctlV2SetsAndGetsOnTheHttpUrl() {
        assertEquals("v2value", v2("set", "/dist/key", "v2value").stdout().trim());
        assertEquals("v2value", v2("get", "/dist/key").stdout().trim());
        v2("mkdir", "/dist/dir");
        assertEquals("/dist/dir\n/dist/key", v2("ls", "--sort", "/dist").stdout().trim());
    }

    private static CairnProcess.Result v2(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "ETCDCTL_API=2", Etcdctl.find().toString(),
                "--endpoints", server.httpUrl().toString()));
        command.addAll(List.of(args));
        CairnProcess.Result result = CairnProcess.runCommand(command, null, Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), () -> "etcdctl (v2) " + String.join(" ", args) + ": " + result);
        return result;
    }
}
