package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.b64;
import static io.cairn.transport.http.HttpServerFixture.json;
import static io.cairn.transport.http.HttpServerFixture.unb64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's v3 JSON gateway on a real member: the requests of etcd's "gRPC gateway" documentation
 * ({@code curl -L http://localhost:2379/v3/kv/put -X POST -d '{"key": "Zm9v", "value": "YmFy"}'} and
 * so on) and the JSON shape etcd answers with.
 */
class GatewayTest {

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

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void putAndRangeAnswerInEtcdsJsonShape() {
        JsonNode put = http.ok("/v3/kv/put", "{\"key\": \"" + b64("foo") + "\", \"value\": \"" + b64("bar") + "\"}");
        JsonNode header = put.get("header");
        // etcd's names (proto field names), 64-bit numbers as strings
        assertEquals(List.of("cluster_id", "member_id", "revision", "raft_term"), fieldNames(header));
        assertEquals(Long.toUnsignedString(http.server.clusterId()), header.get("cluster_id").asText());
        assertTrue(header.get("revision").isTextual());
        assertEquals(List.of("header"), fieldNames(put), "defaults (no prev_kv) are left out: " + put);

        JsonNode range = http.ok("/v3/kv/range", "{\"key\": \"" + b64("foo") + "\"}");
        assertEquals(List.of("header", "kvs", "count"), fieldNames(range), range.toString());
        assertEquals("1", range.get("count").asText());
        assertTrue(range.get("count").isTextual());
        JsonNode kv = range.get("kvs").get(0);
        assertEquals(List.of("key", "create_revision", "mod_revision", "version", "value"), fieldNames(kv));
        assertEquals("foo", unb64(kv.get("key")));
        assertEquals("bar", unb64(kv.get("value")));
        assertEquals(header.get("revision").asText(), kv.get("mod_revision").asText());
        assertEquals("1", kv.get("version").asText());
    }

    @Test
    void prefixRangeTxnAndDeleteFollowEtcdsDocumentation() {
        http.ok("/v3/kv/put", "{\"key\": \"" + b64("doc/a") + "\", \"value\": \"" + b64("1") + "\"}");
        http.ok("/v3/kv/put", "{\"key\": \"" + b64("doc/b") + "\", \"value\": \"" + b64("2") + "\"}");
        // range_end = prefix + 1, as in etcd's docs; camelCase names are accepted too
        JsonNode prefix = http.ok("/v3/kv/range", "{\"key\": \"" + b64("doc/") + "\", \"rangeEnd\": \"" + b64("doc0") + "\"}");
        assertEquals("2", prefix.get("count").asText());

        long created = prefix.get("kvs").get(0).get("create_revision").asLong();
        JsonNode txn = http.ok("/v3/kv/txn", "{\"compare\":[{\"target\":\"CREATE\",\"key\":\"" + b64("doc/a")
                + "\",\"createRevision\":\"" + created + "\"}],\"success\":[{\"requestPut\":{\"key\":\""
                + b64("doc/a") + "\",\"value\":\"" + b64("3") + "\"}}]}");
        assertTrue(txn.get("succeeded").asBoolean(), txn.toString());
        assertTrue(txn.get("responses").get(0).has("response_put"), txn.toString());

        JsonNode failed = http.ok("/v3/kv/txn", "{\"compare\":[{\"target\":\"VALUE\",\"key\":\"" + b64("doc/a")
                + "\",\"value\":\"" + b64("nope") + "\"}],\"failure\":[{\"request_range\":{\"key\":\"" + b64("doc/a") + "\"}}]}");
        assertFalse(failed.has("succeeded"), "false is a default, left out: " + failed);
        assertEquals("3", unb64(failed.get("responses").get(0).get("response_range").get("kvs").get(0).get("value")));

        JsonNode deleted = http.ok("/v3/kv/deleterange", "{\"key\": \"" + b64("doc/") + "\", \"range_end\": \""
                + b64("doc0") + "\", \"prev_kv\": true}");
        assertEquals("2", deleted.get("deleted").asText());
        assertEquals(2, deleted.get("prev_kvs").size());
    }

    @Test
    void errorsAreGrpcGatewaysBodyWithTheMappedStatus() {
        HttpResponse<String> empty = http.post("/v3/kv/put", "{\"value\": \"" + b64("x") + "\"}");
        assertEquals(400, empty.statusCode());
        JsonNode body = json(empty);
        assertEquals(List.of("error", "code", "message"), fieldNames(body));
        assertEquals("etcdserver: key is not provided", body.get("error").asText());
        assertEquals(3, body.get("code").asInt());
        assertEquals("etcdserver: key is not provided", body.get("message").asText());

        HttpResponse<String> badJson = http.post("/v3/kv/range", "{\"key\": ");
        assertEquals(400, badJson.statusCode(), badJson.body());
        assertEquals(3, json(badJson).get("code").asInt());
        assertTrue(json(badJson).get("message").asText().startsWith("invalid JSON request"), badJson.body());

        HttpResponse<String> badBase64 = http.post("/v3/kv/put", "{\"key\": \"!!not base64!!\", \"value\": \"eA==\"}");
        assertEquals(400, badBase64.statusCode(), badBase64.body());
        assertEquals(3, json(badBase64).get("code").asInt());

        HttpResponse<String> wrongType = http.post("/v3/kv/range", "{\"limit\": \"many\"}");
        assertEquals(400, wrongType.statusCode(), wrongType.body());

        HttpResponse<String> future = http.post("/v3/kv/range", "{\"key\": \"" + b64("foo") + "\", \"revision\": \"999999\"}");
        assertEquals(400, future.statusCode());
        assertEquals("etcdserver: mvcc: required revision is a future revision", json(future).get("error").asText());

        HttpResponse<String> noLease = http.post("/v3/lease/revoke", "{\"ID\": \"12345\"}");
        assertEquals(404, noLease.statusCode());
        assertEquals(5, json(noLease).get("code").asInt());
        assertEquals("etcdserver: requested lease not found", json(noLease).get("error").asText());

        assertEquals(404, http.post("/v3/kv/nothing", "{}").statusCode());
        assertEquals(405, http.get("/v3/kv/range").statusCode());
    }

    @Test
    void leasesGrantKeepAliveTimeToLiveAndRevoke() {
        JsonNode grant = http.ok("/v3/lease/grant", "{\"TTL\": 30, \"ID\": 0}");
        String id = grant.get("ID").asText();
        assertEquals("30", grant.get("TTL").asText());
        http.ok("/v3/kv/put", "{\"key\": \"" + b64("leased") + "\", \"value\": \"" + b64("v") + "\", \"lease\": \"" + id + "\"}");

        HttpResponse<String> keepAlive = http.post("/v3/lease/keepalive", "{\"ID\": " + id + "}");
        assertEquals(200, keepAlive.statusCode(), keepAlive.body());
        JsonNode result = json(keepAlive).get("result");
        assertNotNull(result, keepAlive.body());
        assertEquals(id, result.get("ID").asText());
        assertEquals("30", result.get("TTL").asText());

        JsonNode ttl = http.ok("/v3/kv/lease/timetolive", "{\"ID\": " + id + ", \"keys\": true}");
        assertEquals("30", ttl.get("grantedTTL").asText());
        assertEquals("leased", unb64(ttl.get("keys").get(0)));

        JsonNode leases = http.ok("/v3/lease/leases", "{}");
        assertTrue(leases.get("leases").toString().contains(id), leases.toString());

        http.ok("/v3/lease/revoke", "{\"ID\": " + id + "}");
        JsonNode gone = http.ok("/v3/kv/range", "{\"key\": \"" + b64("leased") + "\"}");
        assertFalse(gone.has("kvs"), "revoking deleted the key: " + gone);
    }

    @Test
    void watchStreamsResultLinesAsTheGatewayDoes() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<Stream<String>>> watch = http.client.sendAsync(
                HttpRequest.newBuilder(http.base.resolve("/v3/watch"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\": {\"key\": \"" + b64("w") + "\"}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = watch.get(20, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        Thread reader = new Thread(() -> {
            try {
                response.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closedByTheTest) {
                // the test closes the stream when done
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode created = HttpServerFixture.JSON.readTree(lines.poll(20, TimeUnit.SECONDS)).get("result");
            assertTrue(created.get("created").asBoolean(), created.toString());

            http.ok("/v3/kv/put", "{\"key\": \"" + b64("w") + "\", \"value\": \"" + b64("1") + "\"}");
            http.ok("/v3/kv/deleterange", "{\"key\": \"" + b64("w") + "\"}");
            List<JsonNode> events = new java.util.ArrayList<>();
            while (events.size() < 2) {
                String line = lines.poll(20, TimeUnit.SECONDS);
                assertNotNull(line, "events arrive: " + events);
                Iterator<JsonNode> each = HttpServerFixture.JSON.readTree(line).get("result").get("events").elements();
                each.forEachRemaining(events::add);
            }
            assertFalse(events.get(0).has("type"), "PUT is the default, left out: " + events.get(0));
            assertEquals("1", unb64(events.get(0).get("kv").get("value")));
            assertEquals("DELETE", events.get(1).get("type").asText());
        } finally {
            response.body().close();
        }
    }

    @Test
    void clusterAndMaintenance() {
        JsonNode members = http.ok("/v3/cluster/member/list", "{}");
        JsonNode member = members.get("members").get(0);
        assertEquals(Long.toUnsignedString(http.server.memberId()), member.get("ID").asText());
        assertEquals("default", member.get("name").asText());

        JsonNode status = http.ok("/v3/maintenance/status", "{}");
        assertEquals("3.5.0", status.get("version").asText());
        assertEquals(Long.toUnsignedString(http.server.memberId()), status.get("leader").asText());
        assertTrue(status.get("dbSize").asLong() > 0 || status.get("db_size") != null, status.toString());
    }

    @Test
    void snapshotStreamsChunksAndTransferMovesLeadership() throws Exception {
        http.ok("/v3/kv/put", "{\"key\": \"" + b64("snap") + "\", \"value\": \"" + b64("x".repeat(40000)) + "\"}");
        HttpResponse<String> response = http.post("/v3/maintenance/snapshot", "{}");
        assertEquals(200, response.statusCode(), response.body());
        List<String> lines = response.body().lines().toList();
        assertTrue(lines.size() >= 2, "a 40 kB value takes two 32 KiB chunks: " + lines.size());
        java.io.ByteArrayOutputStream blob = new java.io.ByteArrayOutputStream();
        long firstRemaining = -1;
        for (String line : lines) {
            JsonNode result = HttpServerFixture.JSON.readTree(line).get("result");
            assertTrue(result != null, line);
            byte[] chunk = java.util.Base64.getDecoder().decode(result.get("blob").asText());
            if (firstRemaining < 0) {
                firstRemaining = result.get("remaining_bytes").asLong() + chunk.length;
                assertTrue(result.get("header").get("revision").asLong() > 1, line);
            }
            blob.write(chunk);
        }
        assertTrue(HttpServerFixture.JSON.readTree(lines.get(lines.size() - 1)).get("result").get("remaining_bytes") == null,
                "the last chunk's remaining_bytes is 0, left out as etcd's JSON leaves defaults out");
        byte[] file = blob.toByteArray();
        assertEquals(firstRemaining, file.length);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(file, 0, file.length - 32);
        assertTrue(java.util.Arrays.equals(sha.digest(), java.util.Arrays.copyOfRange(file, file.length - 32, file.length)),
                "the stream ends with the SHA-256 of the rest, as etcd's does");

        String self = Long.toUnsignedString(http.server.memberId());
        JsonNode moved = http.ok("/v3/maintenance/transfer", "{\"targetID\": \"" + self + "\"}");
        assertEquals(self, moved.get("header").get("member_id").asText());
        HttpResponse<String> bad = http.post("/v3/maintenance/transfer", "{\"targetID\": \"12345\"}");
        assertEquals("etcdserver: bad leader transferee", json(bad).get("message").asText(), bad.body());
    }

    @Test
    void healthVersionAndMetrics() {
        HttpResponse<String> health = http.get("/health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("true", json(health).get("health").asText());

        JsonNode version = json(http.get("/version"));
        assertEquals("3.5.0", version.get("etcdserver").asText());
        assertEquals("3.5.0", version.get("etcdcluster").asText());

        http.ok("/v3/kv/range", "{\"key\": \"" + b64("m") + "\"}");
        HttpResponse<String> metrics = http.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = metrics.body();
        assertTrue(text.contains("cairn_http_requests_seconds_count{code=\"200\",method=\"POST\",route=\"/v3/kv/range\"}"),
                text);
        assertTrue(text.contains("etcd_server_has_leader 1"), text);
        assertTrue(text.contains("cairn_raft_term "), text);
        assertTrue(text.contains("etcd_server_is_leader 1"), text);
        assertTrue(text.contains("# TYPE etcd_server_proposals_committed_total counter"), text);
        assertTrue(text.contains("etcd_server_proposals_applied_total "), text);
        assertEquals(404, http.get("/nothing").statusCode());
    }
}
