package io.cairn.transport.http;

import static io.cairn.transport.http.HttpServerFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd 2.3's v2 keys API on a real member, with the requests and answers of etcd's v2 API
 * documentation ({@code curl http://127.0.0.1:2379/v2/keys/message -XPUT -d value="Hello world"}, ...).
 * Each test works under its own directory.
 */
class V2KeysTest {

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

    private static JsonNode expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("X-Etcd-Index").isPresent(), "X-Etcd-Index: " + response.headers());
        return json(response);
    }

    private static void expectError(int status, int code, String message, String cause, HttpResponse<String> response) {
        JsonNode error = expect(status, response);
        assertEquals(code, error.get("errorCode").asInt(), response.body());
        assertEquals(message, error.get("message").asText());
        assertEquals(cause, error.get("cause").asText());
        assertEquals(response.headers().firstValue("X-Etcd-Index").orElseThrow(), error.get("index").asText());
    }

    @Test
    void setGetUpdateAndDeleteAKey() {
        JsonNode set = expect(201, http.form("PUT", "/v2/keys/t1/message", "value", "Hello world"));
        assertEquals("set", set.get("action").asText());
        JsonNode node = set.get("node");
        assertEquals("/t1/message", node.get("key").asText());
        assertEquals("Hello world", node.get("value").asText());
        assertEquals(node.get("modifiedIndex").asLong(), node.get("createdIndex").asLong());
        assertFalse(set.has("prevNode"));

        JsonNode get = expect(200, http.get("/v2/keys/t1/message"));
        assertEquals("get", get.get("action").asText());
        assertEquals("Hello world", get.get("node").get("value").asText());

        JsonNode changed = expect(200, http.form("PUT", "/v2/keys/t1/message", "value", "Hello etcd"));
        assertEquals("Hello world", changed.get("prevNode").get("value").asText());
        assertEquals("Hello etcd", changed.get("node").get("value").asText());
        assertTrue(changed.get("node").get("modifiedIndex").asLong() > node.get("modifiedIndex").asLong());

        JsonNode deleted = expect(200, http.form("DELETE", "/v2/keys/t1/message"));
        assertEquals("delete", deleted.get("action").asText());
        assertEquals("Hello etcd", deleted.get("prevNode").get("value").asText());
        assertFalse(deleted.get("node").has("value"));

        expectError(404, 100, "Key not found", "/t1/message", http.get("/v2/keys/t1/message"));
    }

    @Test
    void directoriesListRecursivelyAndRefuseWhatEtcdRefuses() {
        expect(201, http.form("PUT", "/v2/keys/t2/dir", "dir", "true"));
        expect(201, http.form("PUT", "/v2/keys/t2/dir/b", "value", "2"));
        expect(201, http.form("PUT", "/v2/keys/t2/dir/a", "value", "1"));
        expect(201, http.form("PUT", "/v2/keys/t2/dir/sub/c", "value", "3")); // creates sub on the way
        expect(201, http.form("PUT", "/v2/keys/t2/dir/_hidden", "value", "h"));

        JsonNode listing = expect(200, http.get("/v2/keys/t2/dir?sorted=true")).get("node");
        assertTrue(listing.get("dir").asBoolean());
        List<String> keys = new ArrayList<>();
        listing.get("nodes").forEach(child -> keys.add(child.get("key").asText()));
        assertEquals(List.of("/t2/dir/a", "/t2/dir/b", "/t2/dir/sub"), keys, "direct children, sorted, hidden left out");
        assertFalse(listing.get("nodes").get(2).has("nodes"), "not recursive: sub is not expanded");

        JsonNode recursive = expect(200, http.get("/v2/keys/t2?recursive=true")).get("node");
        JsonNode sub = recursive.get("nodes").get(0).get("nodes").get(2);
        assertEquals("/t2/dir/sub", sub.get("key").asText());
        assertEquals("3", sub.get("nodes").get(0).get("value").asText());

        JsonNode root = expect(200, http.get("/v2/keys/")).get("node");
        assertTrue(root.get("dir").asBoolean());
        assertFalse(root.has("key"), "the root has no key in etcd's JSON: " + root);

        expectError(400, 104, "Not a directory", "/t2/dir/a", http.form("PUT", "/v2/keys/t2/dir/a/x", "value", "v"));
        expectError(403, 102, "Not a file", "/t2/dir", http.form("PUT", "/v2/keys/t2/dir", "value", "v"));
        expectError(403, 102, "Not a file", "/t2/dir", http.form("DELETE", "/v2/keys/t2/dir"));
        expectError(403, 108, "Directory not empty", "/t2/dir", http.form("DELETE", "/v2/keys/t2/dir?dir=true"));
        expectError(412, 105, "Key already exists", "/t2/dir", http.form("PUT", "/v2/keys/t2/dir?dir=true&prevExist=false"));
        expectError(400, 107, "Root is read only", "/", http.form("DELETE", "/v2/keys/?recursive=true"));

        JsonNode removed = expect(200, http.form("DELETE", "/v2/keys/t2/dir?recursive=true"));
        assertTrue(removed.get("node").get("dir").asBoolean());
        expectError(404, 100, "Key not found", "/t2/dir", http.get("/v2/keys/t2/dir/sub/c"));
        expect(201, http.form("PUT", "/v2/keys/t2/empty?dir=true"));
        expect(200, http.form("DELETE", "/v2/keys/t2/empty?dir=true"));
    }

    @Test
    void compareAndSwapAndCompareAndDelete() {
        JsonNode first = expect(201, http.form("PUT", "/v2/keys/t3/foo", "value", "one"));
        long index = first.get("node").get("modifiedIndex").asLong();

        expectError(412, 101, "Compare failed", "[two != one]", http.form("PUT", "/v2/keys/t3/foo?prevValue=two", "value", "three"));
        expectError(412, 101, "Compare failed", "[" + (index + 100) + " != " + index + "]",
                http.form("PUT", "/v2/keys/t3/foo?prevIndex=" + (index + 100), "value", "three"));
        JsonNode swapped = expect(200, http.form("PUT", "/v2/keys/t3/foo?prevValue=one", "value", "two"));
        assertEquals("compareAndSwap", swapped.get("action").asText());
        assertEquals(first.get("node").get("createdIndex"), swapped.get("node").get("createdIndex"), "a swap keeps the node");

        expectError(412, 105, "Key already exists", "/t3/foo", http.form("PUT", "/v2/keys/t3/foo?prevExist=false", "value", "x"));
        JsonNode updated = expect(200, http.form("PUT", "/v2/keys/t3/foo?prevExist=true", "value", "three"));
        assertEquals("update", updated.get("action").asText());
        expectError(404, 100, "Key not found", "/t3/missing", http.form("PUT", "/v2/keys/t3/missing?prevExist=true", "value", "x"));
        JsonNode created = expect(201, http.form("PUT", "/v2/keys/t3/new?prevExist=false", "value", "x"));
        assertEquals("create", created.get("action").asText());

        expectError(412, 101, "Compare failed", "[nope != three]", http.form("DELETE", "/v2/keys/t3/foo?prevValue=nope"));
        JsonNode cad = expect(200, http.form("DELETE", "/v2/keys/t3/foo?prevValue=three"));
        assertEquals("compareAndDelete", cad.get("action").asText());
    }

    @Test
    void postCreatesInOrderKeys() {
        JsonNode first = expect(201, http.form("POST", "/v2/keys/t4/queue", "value", "Job1"));
        JsonNode second = expect(201, http.form("POST", "/v2/keys/t4/queue", "value", "Job2"));
        assertEquals("create", first.get("action").asText());
        String a = first.get("node").get("key").asText();
        String b = second.get("node").get("key").asText();
        assertTrue(a.matches("/t4/queue/\\d{20}"), a);
        assertTrue(a.compareTo(b) < 0, a + " < " + b);
        JsonNode listing = expect(200, http.get("/v2/keys/t4/queue?recursive=true&sorted=true")).get("node");
        assertEquals("Job1", listing.get("nodes").get(0).get("value").asText());
        assertEquals("Job2", listing.get("nodes").get(1).get("value").asText());
    }

    @Test
    void ttlShowsExpirationAndExpiryIsAnExpireEvent() throws Exception {
        JsonNode set = expect(201, http.form("PUT", "/v2/keys/t5/tmp", "value", "bar", "ttl", "2"));
        JsonNode node = set.get("node");
        assertEquals(2, node.get("ttl").asLong());
        assertTrue(node.get("expiration").asText().endsWith("Z"), node.toString());

        long next = node.get("modifiedIndex").asLong() + 1;
        HttpResponse<String> expired = http.send(HttpRequest.newBuilder(
                http.base.resolve("/v2/keys/t5/tmp?wait=true&waitIndex=" + next)).GET());
        JsonNode event = expect(200, expired);
        assertEquals("expire", event.get("action").asText(), expired.body());
        assertEquals("/t5/tmp", event.get("node").get("key").asText());
        assertEquals("bar", event.get("prevNode").get("value").asText());
        expectError(404, 100, "Key not found", "/t5/tmp", http.get("/v2/keys/t5/tmp"));

        // refresh: a new TTL without a new value, and no event for watchers
        JsonNode refreshed = expect(201, http.form("PUT", "/v2/keys/t5/kept", "value", "v", "ttl", "30"));
        long after = refreshed.get("node").get("modifiedIndex").asLong() + 1;
        expect(200, http.form("PUT", "/v2/keys/t5/kept?refresh=true&prevExist=true", "ttl", "30"));
        expect(200, http.form("PUT", "/v2/keys/t5/kept", "value", "w"));
        JsonNode seen = expect(200, http.get("/v2/keys/t5/kept?wait=true&waitIndex=" + after));
        assertEquals("set", seen.get("action").asText(), "the refresh is skipped: " + seen);
        assertEquals("w", seen.get("node").get("value").asText());
        expectError(400, 211, "Value provided on refresh", "A value was provided on a refresh",
                http.form("PUT", "/v2/keys/t5/kept?refresh=true", "value", "x", "ttl", "3"));
        expectError(400, 202, "The given TTL in POST form is not a number", "invalid value for \"ttl\"",
                http.form("PUT", "/v2/keys/t5/kept", "value", "x", "ttl", "soon"));
    }

    @Test
    void longPollWatchAnswersWhenTheChangeHappens() throws Exception {
        expect(201, http.form("PUT", "/v2/keys/t6/dir/one", "value", "1"));
        CompletableFuture<HttpResponse<String>> waiting = http.client.sendAsync(
                HttpRequest.newBuilder(http.base.resolve("/v2/keys/t6/dir?wait=true&recursive=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // let the poll start; a write before it would not be seen, as in etcd
        JsonNode written = expect(201, http.form("PUT", "/v2/keys/t6/dir/two", "value", "2"));
        HttpResponse<String> answer = waiting.get(20, TimeUnit.SECONDS);
        JsonNode event = expect(200, answer);
        assertEquals("set", event.get("action").asText());
        assertEquals("/t6/dir/two", event.get("node").get("key").asText());
        assertEquals(written.get("node").get("modifiedIndex"), event.get("node").get("modifiedIndex"));

        // waitIndex in the past answers at once with the first matching event from there
        long from = json(http.get("/v2/keys/t6/dir/one")).get("node").get("modifiedIndex").asLong();
        JsonNode past = expect(200, http.get("/v2/keys/t6/dir/one?wait=true&waitIndex=" + from));
        assertEquals("set", past.get("action").asText());
        assertEquals("1", past.get("node").get("value").asText());

        // a delete of the directory reaches a watcher of a key inside it
        CompletableFuture<HttpResponse<String>> inside = http.client.sendAsync(
                HttpRequest.newBuilder(http.base.resolve("/v2/keys/t6/dir/one?wait=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        expect(200, http.form("DELETE", "/v2/keys/t6/dir?recursive=true"));
        JsonNode deletion = expect(200, inside.get(20, TimeUnit.SECONDS));
        assertEquals("delete", deletion.get("action").asText());
        assertEquals("/t6/dir", deletion.get("node").get("key").asText());
    }

    @Test
    void theHistoryWindowHoldsTheLastThousandV2EventsWhateverTheV3WritesBetween() throws Exception {
        long start = json(http.form("PUT", "/v2/keys/t7/k", "value", "0")).get("node").get("modifiedIndex").asLong();
        // 1000 v3 writes, in parallel through the in-process api (one Raft sync covers many): not v2 events
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            writes.add(http.server.client().kv().put(Bytes.fromUtf8("filler" + (i % 10)), Bytes.fromUtf8("x")));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        JsonNode stillThere = expect(200, http.get("/v2/keys/t7/k?wait=true&waitIndex=" + start));
        assertEquals(start, stillThere.get("node").get("modifiedIndex").asLong(), "the event at " + start + " is still held");

        // 1000 more v2 writes push it out: the window starts at the first of them
        long firstOfWindow = 0;
        for (int i = 1; i <= 1000; i++) {
            long index = json(http.form("PUT", "/v2/keys/t7/k", "value", Integer.toString(i))).get("node").get("modifiedIndex").asLong();
            if (i == 1) {
                firstOfWindow = index;
            }
        }
        HttpResponse<String> response = http.get("/v2/keys/t7/k?wait=true&waitIndex=" + start);
        JsonNode error = expect(400, response);
        assertEquals(401, error.get("errorCode").asInt());
        assertEquals("The event in requested index is outdated and cleared", error.get("message").asText());
        assertEquals("the requested history has been cleared [" + firstOfWindow + "/" + start + "]", error.get("cause").asText());

        JsonNode oldestHeld = expect(200, http.get("/v2/keys/t7/k?wait=true&waitIndex=" + firstOfWindow));
        assertEquals(firstOfWindow, oldestHeld.get("node").get("modifiedIndex").asLong());
        assertEquals("1", oldestHeld.get("node").get("value").asText());
    }

    @Test
    void badParametersAreEtcdsFormErrorsAndMembersNameThisEndpoint() {
        expectError(400, 209, "Invalid field", "invalid value for \"recursive\"", http.get("/v2/keys/x?recursive=maybe"));
        expectError(400, 203, "The given index in POST form is not a number", "invalid value for \"waitIndex\"",
                http.get("/v2/keys/x?wait=true&waitIndex=soon"));
        expectError(400, 201, "PrevValue is Required in POST form", "\"prevValue\" cannot be empty",
                http.form("PUT", "/v2/keys/x?prevValue=", "value", "v"));

        JsonNode members = json(http.get("/v2/members"));
        JsonNode member = members.get("members").get(0);
        assertEquals(Long.toHexString(http.server.memberId()), member.get("id").asText());
        assertEquals(http.base.toString(), member.get("clientURLs").get(0).asText());
        assertNotNull(member.get("peerURLs"));
    }

    /** The store stats once two reads 300 ms apart agree (writes are counted as the watch sees them applied). */
    private static JsonNode settledStoreStats() throws InterruptedException {
        JsonNode last = json(http.get("/v2/stats/store"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Thread.sleep(300);
            JsonNode now = json(http.get("/v2/stats/store"));
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the store stats did not settle: " + last);
    }

    private static long delta(JsonNode before, JsonNode after, String field) {
        return after.get(field).asLong() - before.get(field).asLong();
    }

    @Test
    void storeStatsCountOperationsUnderEtcd23sNames() throws Exception {
        JsonNode before = settledStoreStats();
        List<String> fields = new ArrayList<>();
        before.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail",
                "updateSuccess", "updateFail", "createSuccess", "createFail", "compareAndSwapSuccess", "compareAndSwapFail",
                "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount", "watchers"), fields);

        expect(201, http.form("PUT", "/v2/keys/t9/a", "value", "1"));
        expect(412, http.form("PUT", "/v2/keys/t9/a?prevExist=false", "value", "2"));
        expect(200, http.form("PUT", "/v2/keys/t9/a?prevValue=1", "value", "3"));
        expect(412, http.form("PUT", "/v2/keys/t9/a?prevValue=nope", "value", "4"));
        expect(200, http.form("PUT", "/v2/keys/t9/a?prevExist=true", "value", "5"));
        expect(404, http.form("PUT", "/v2/keys/t9/none?prevExist=true", "value", "6"));
        expect(200, http.get("/v2/keys/t9/a"));
        expect(404, http.get("/v2/keys/t9/missing"));
        expect(201, http.form("POST", "/v2/keys/t9/queue", "value", "job"));
        expect(412, http.form("DELETE", "/v2/keys/t9/a?prevValue=nope"));
        expect(200, http.form("DELETE", "/v2/keys/t9/a?prevValue=5"));
        expect(404, http.form("DELETE", "/v2/keys/t9/a"));
        expect(201, http.form("PUT", "/v2/keys/t9/b", "value", "x"));
        expect(200, http.form("DELETE", "/v2/keys/t9/b"));
        expect(201, http.form("PUT", "/v2/keys/t9/short", "value", "x", "ttl", "1"));
        CompletableFuture<HttpResponse<String>> waiting = http.client.sendAsync(
                HttpRequest.newBuilder(http.base.resolve("/v2/keys/t9/short?wait=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode expired = expect(200, waiting.get(20, TimeUnit.SECONDS));
        assertEquals("expire", expired.get("action").asText());

        JsonNode after = settledStoreStats();
        assertEquals(3, delta(before, after, "setsSuccess"), after::toString);
        assertEquals(1, delta(before, after, "createFail"), after::toString);
        assertEquals(1, delta(before, after, "createSuccess"), after::toString);
        assertEquals(1, delta(before, after, "compareAndSwapSuccess"), after::toString);
        assertEquals(1, delta(before, after, "compareAndSwapFail"), after::toString);
        assertEquals(1, delta(before, after, "updateSuccess"), after::toString);
        assertEquals(1, delta(before, after, "updateFail"), after::toString);
        assertEquals(1, delta(before, after, "getsSuccess"), after::toString);
        assertEquals(1, delta(before, after, "getsFail"), after::toString);
        assertEquals(1, delta(before, after, "compareAndDeleteSuccess"), after::toString);
        assertEquals(1, delta(before, after, "compareAndDeleteFail"), after::toString);
        assertEquals(1, delta(before, after, "deleteSuccess"), after::toString);
        assertEquals(1, delta(before, after, "deleteFail"), after::toString);
        assertEquals(1, delta(before, after, "expireCount"), after::toString);
        assertEquals(0, after.get("watchers").asLong(), after::toString);
    }

    @Test
    void machinesListsTheClientUrlsAsEtcd23WritesThem() {
        HttpResponse<String> machines = http.get("/v2/machines");
        assertEquals(200, machines.statusCode());
        assertEquals("text/plain; charset=utf-8", machines.headers().firstValue("Content-Type").orElse(""));
        // one member: its HTTP URL, no separator and no newline
        assertEquals(http.base.toString(), machines.body());
        assertEquals(405, http.form("PUT", "/v2/machines").statusCode());
    }
}
