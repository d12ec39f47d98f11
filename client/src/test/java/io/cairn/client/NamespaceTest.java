package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.server.CairnServer;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two namespaced clients and a plain one on the same member: each namespace sees only its keys, unprefixed. */
class NamespaceTest {

    @TempDir
    Path dir;

    private CairnServer server;
    private CairnClient raw;
    private CairnClient app1;
    private CairnClient app2;

    @BeforeEach
    void start() {
        server = TestServers.start(dir, 0);
        raw = CairnClient.builder().endpoints(TestServers.endpoint(server)).build();
        app1 = CairnClient.builder().endpoints(TestServers.endpoint(server)).namespace("app1/").build();
        app2 = CairnClient.builder().endpoints(TestServers.endpoint(server)).namespace("app2/").build();
    }

    @AfterEach
    void stop() {
        app2.close();
        app1.close();
        raw.close();
        server.close();
    }

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    private static List<String> keys(RangeResponse response) {
        return response.kvs().stream().map(kv -> kv.key().toUtf8()).toList();
    }

    @Test
    void keysArePrefixedOnTheWayOutAndStrippedOnTheWayIn() {
        await(app1.kv().put(b("a"), b("1")));
        await(app2.kv().put(b("a"), b("2")));
        await(raw.kv().put(b("a"), b("raw")));
        assertEquals("1", await(raw.kv().get(b("app1/a"))).kvs().get(0).value().toUtf8());
        assertEquals("2", await(raw.kv().get(b("app2/a"))).kvs().get(0).value().toUtf8());

        await(app1.kv().put(b("b"), b("3")));
        RangeResponse all1 = await(app1.kv().range(RangeRequest.of(KeyRange.all())));
        assertEquals(List.of("a", "b"), keys(all1));
        assertEquals(2, all1.count());
        assertEquals(List.of("a", "b"), keys(await(app1.kv().range(RangeRequest.of(KeyRange.fromKey(b("a")))))));
        assertEquals(List.of("a"), keys(await(app2.kv().range(RangeRequest.of(KeyRange.all())))));
        assertEquals(List.of("a", "b"), keys(await(app1.kv().range(RangeRequest.of(b("a")).withRangeEnd(b("c"))))));

        var prev = await(app1.kv().put(PutRequest.of(b("a"), b("1b")).withPrevKv(true)));
        assertEquals("a", prev.prevKv().orElseThrow().key().toUtf8());

        var txn = await(app1.kv().txn(new TxnRequest(
                List.of(new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b("a"), Bytes.EMPTY, 0, b("1b"))),
                List.of(PutRequest.of(b("c"), b("4")), RangeRequest.of(KeyRange.all())),
                List.of())));
        assertTrue(txn.succeeded(), "the compare read app1/a");
        assertEquals(List.of("a", "b", "c"), keys((RangeResponse) txn.responses().get(1)));
        assertEquals(1, await(raw.kv().get(b("app1/c"))).count());

        var deleted = await(app1.kv().deleteRange(DeleteRangeRequest.of(KeyRange.all()).withPrevKv(true)));
        assertEquals(3, deleted.deleted());
        assertEquals(List.of("a", "b", "c"), deleted.prevKvs().stream().map(kv -> kv.key().toUtf8()).toList());
        assertEquals(List.of("a"), keys(await(app2.kv().range(RangeRequest.of(KeyRange.all())))));
        assertEquals(List.of("a", "app2/a"), keys(await(raw.kv().range(RangeRequest.of(KeyRange.all())))));
    }

    @Test
    void aNamespacedWatchSeesItsOwnKeysOnly() throws Exception {
        Collector<WatchResponse> seen = new Collector<>();
        app1.watch().watch(WatchCreateRequest.of(KeyRange.all()).withPrevKv(true)).subscribe(seen);
        assertTrue(seen.next().created());
        await(raw.kv().put(b("app2/x"), b("no")));
        await(raw.kv().put(b("x"), b("no")));
        await(app1.kv().put(b("y"), b("1")));
        await(raw.kv().put(b("app1/y"), b("2")));
        WatchResponse first = seen.next();
        assertEquals("y", first.events().get(0).kv().key().toUtf8());
        assertEquals("1", first.events().get(0).kv().value().toUtf8());
        WatchResponse second = seen.next();
        assertEquals("y", second.events().get(0).kv().key().toUtf8());
        assertEquals("y", second.events().get(0).prevKv().orElseThrow().key().toUtf8());
        assertNull(seen.poll(300), "nothing of the other keys");
        seen.subscription.cancel();
    }
}
