package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.b64;
import static io.cairn.transport.http.HttpServerFixture.json;
import static io.cairn.transport.http.HttpServerFixture.unb64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's v3lock and v3election gateway routes on a real member: {@code POST /v3/lock/lock} and
 * {@code /unlock}, {@code /v3/election/campaign}, {@code /proclaim}, {@code /leader}, {@code /observe}
 * (a stream of {@code {"result":...}} lines) and {@code /resign}, in etcd's JSON shape (bytes in base64,
 * 64-bit numbers as strings, proto field names), with etcd's error texts.
 */
class LockElectionGatewayTest {

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

    private static String lease() {
        return http.ok("/v3/lease/grant", "{\"TTL\": 30}").get("ID").asText();
    }

    private static String hex(String leaseId) {
        return Long.toHexString(Long.parseLong(leaseId));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.client.sendAsync(HttpRequest.newBuilder(http.base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long keysUnder(String prefix) {
        JsonNode range = http.ok("/v3/kv/range", "{\"key\": \"" + b64(prefix) + "\", \"range_end\": \""
                + b64(prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1))
                + "\", \"count_only\": true}");
        return range.has("count") ? range.get("count").asLong() : 0;
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 20 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void lockAnswersWithTheOwnershipKeyAndUnlockPassesItToTheNextWaiter() throws Exception {
        String first = lease();
        String second = lease();
        JsonNode held = http.ok("/v3/lock/lock", "{\"name\": \"" + b64("gw-lock") + "\", \"lease\": \"" + first + "\"}");
        assertEquals(List.of("header", "key"), fieldNames(held));
        assertEquals("gw-lock/" + hex(first), unb64(held.get("key")));
        assertTrue(held.get("header").get("revision").isTextual(), "64-bit numbers are strings: " + held);

        CompletableFuture<HttpResponse<String>> waiter = postAsync("/v3/lock/lock",
                "{\"name\": \"" + b64("gw-lock") + "\", \"lease\": " + second + "}");
        eventually("the second waiter queued", () -> keysUnder("gw-lock/") == 2);
        Thread.sleep(200);
        assertFalse(waiter.isDone(), "the lock is held: the second lock call waits");

        JsonNode unlocked = http.ok("/v3/lock/unlock", "{\"key\": \"" + held.get("key").asText() + "\"}");
        assertEquals(List.of("header"), fieldNames(unlocked));
        HttpResponse<String> passed = waiter.get(20, TimeUnit.SECONDS);
        assertEquals(200, passed.statusCode(), passed.body());
        assertEquals("gw-lock/" + hex(second), unb64(json(passed).get("key")));
        assertTrue(json(passed).get("header").get("revision").asLong() > held.get("header").get("revision").asLong());

        http.ok("/v3/lock/unlock", "{\"key\": \"" + json(passed).get("key").asText() + "\"}");
        assertEquals(0, keysUnder("gw-lock/"));
        // unlocking a key that is gone succeeds, as in etcd
        http.ok("/v3/lock/unlock", "{\"key\": \"" + held.get("key").asText() + "\"}");
    }

    @Test
    void lockErrorsAreEtcds() {
        HttpResponse<String> noLease = http.post("/v3/lock/lock", "{\"name\": \"" + b64("gw-lock-2") + "\", \"lease\": \"4242\"}");
        assertEquals(404, noLease.statusCode(), noLease.body());
        assertEquals("etcdserver: requested lease not found", json(noLease).get("error").asText());
        assertEquals(5, json(noLease).get("code").asInt());
        assertEquals(405, http.get("/v3/lock/lock").statusCode());
    }

    @Test
    void aClientThatGoesAwayWhileWaitingWithdrawsItsWaiter() throws Exception {
        String holder = lease();
        String leaver = lease();
        JsonNode held = http.ok("/v3/lock/lock", "{\"name\": \"" + b64("gw-leave") + "\", \"lease\": \"" + holder + "\"}");
        String body = "{\"name\": \"" + b64("gw-leave") + "\", \"lease\": \"" + leaver + "\"}";
        try (Socket socket = new Socket(http.base.getHost(), http.base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v3/lock/lock HTTP/1.1\r\nHost: " + http.base.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            eventually("the leaving client's waiter queued", () -> keysUnder("gw-leave/") == 2);
        }
        eventually("the waiter's key is withdrawn once its client went away", () -> keysUnder("gw-leave/") == 1);
        http.ok("/v3/lock/unlock", "{\"key\": \"" + held.get("key").asText() + "\"}");
    }

    @Test
    void campaignProclaimLeaderObserveAndResignInEtcdsShape() throws Exception {
        String name = b64("gw-elect");
        JsonNode noLeader = json(http.post("/v3/election/leader", "{\"name\": \"" + name + "\"}"));
        assertEquals("election: no leader", noLeader.get("error").asText(), noLeader.toString());

        String first = lease();
        JsonNode campaign = http.ok("/v3/election/campaign",
                "{\"name\": \"" + name + "\", \"lease\": \"" + first + "\", \"value\": \"" + b64("v1") + "\"}");
        assertEquals(List.of("header", "leader"), fieldNames(campaign));
        JsonNode leader = campaign.get("leader");
        assertEquals(List.of("name", "key", "rev", "lease"), fieldNames(leader));
        assertEquals("gw-elect", unb64(leader.get("name")));
        assertEquals("gw-elect/" + hex(first), unb64(leader.get("key")));
        assertEquals(first, leader.get("lease").asText());

        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<Stream<String>> observe = http.client.sendAsync(
                HttpRequest.newBuilder(http.base.resolve("/v3/election/observe"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\"}")).build(),
                HttpResponse.BodyHandlers.ofLines()).get(20, TimeUnit.SECONDS);
        assertEquals(200, observe.statusCode());
        Thread reader = new Thread(() -> {
            try {
                observe.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closedByTheTest) {
                // the test closes the stream when done
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            assertEquals("v1", observedValue(lines));

            http.ok("/v3/election/proclaim", "{\"leader\": " + leader + ", \"value\": \"" + b64("v2") + "\"}");
            assertEquals("v2", observedValue(lines));
            JsonNode current = http.ok("/v3/election/leader", "{\"name\": \"" + name + "\"}");
            assertEquals(List.of("header", "kv"), fieldNames(current));
            assertEquals("v2", unb64(current.get("kv").get("value")));
            assertEquals("gw-elect/" + hex(first), unb64(current.get("kv").get("key")));

            String second = lease();
            CompletableFuture<HttpResponse<String>> waiting = postAsync("/v3/election/campaign",
                    "{\"name\": \"" + name + "\", \"lease\": \"" + second + "\", \"value\": \"" + b64("w1") + "\"}");
            eventually("the second campaigner queued", () -> keysUnder("gw-elect/") == 2);
            Thread.sleep(200);
            assertFalse(waiting.isDone(), "the second campaign waits while the first leads");

            JsonNode resigned = http.ok("/v3/election/resign", "{\"leader\": " + leader + "}");
            assertEquals(List.of("header"), fieldNames(resigned));
            HttpResponse<String> won = waiting.get(20, TimeUnit.SECONDS);
            assertEquals(200, won.statusCode(), won.body());
            assertEquals("gw-elect/" + hex(second), unb64(json(won).get("leader").get("key")));
            assertEquals("w1", observedValue(lines));

            // the former leader's key no longer leads
            HttpResponse<String> stale = http.post("/v3/election/proclaim",
                    "{\"leader\": " + leader + ", \"value\": \"" + b64("late") + "\"}");
            assertEquals("election: not leader", json(stale).get("error").asText(), stale.body());
            HttpResponse<String> missing = http.post("/v3/election/proclaim", "{\"value\": \"" + b64("x") + "\"}");
            assertEquals("\"leader\" field must be provided", json(missing).get("error").asText(), missing.body());
            HttpResponse<String> missingResign = http.post("/v3/election/resign", "{}");
            assertEquals("\"leader\" field must be provided", json(missingResign).get("error").asText(), missingResign.body());
            http.ok("/v3/election/resign", "{\"leader\": " + json(won).get("leader") + "}");
        } finally {
            observe.body().close();
        }
    }

    /** The value of the next observed proclamation. */
    private static String observedValue(BlockingQueue<String> lines) throws Exception {
        String line = lines.poll(20, TimeUnit.SECONDS);
        assertNotNull(line, "an observe line within 20 s");
        JsonNode result = HttpServerFixture.JSON.readTree(line).get("result");
        assertNotNull(result, line);
        assertTrue(result.has("header") && result.has("kv"), line);
        return unb64(result.get("kv").get("value"));
    }
}
