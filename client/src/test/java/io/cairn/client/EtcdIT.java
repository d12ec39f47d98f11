package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static io.cairn.client.TestServers.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real etcd (Debian's etcd-server 3.4), so that what it speaks is etcd's
 * protocol and not only Cairn's reading of it: a subset of the tests run against Cairn, plus auth
 * (which etcd has and Cairn does not yet) and a watch resumed across a restart of etcd.
 */
class EtcdIT {

    private Path dir;
    private EtcdProcess etcd;
    private CairnClient client;

    @BeforeEach
    void start() throws Exception {
        Path base = Path.of(System.getProperty("cairn.test.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "etcd-");
        etcd = new EtcdProcess(dir.resolve("data"), List.of()).start();
        client = CairnClient.builder().endpoints(etcd.endpoint())
                .maxAttempts(30).backoff(Duration.ofMillis(20), Duration.ofMillis(300)).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        etcd.close();
    }

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    private static List<String> keys(RangeResponse response) {
        return response.kvs().stream().map(kv -> kv.key().toUtf8()).toList();
    }

    @Test
    void kvAndItsErrorsAsEtcdSendsThem() {
        long first = await(client.kv().put(b("a"), b("1"))).header().revision();
        await(client.kv().put(b("a"), b("2")));
        await(client.kv().put(b("b"), b("3")));
        assertEquals(List.of("a", "b"), keys(await(client.kv().range(RangeRequest.of(KeyRange.all())))));
        assertEquals("1", await(client.kv().range(RangeRequest.of(b("a")).withRevision(first))).kvs().get(0).value().toUtf8());
        var txn = await(client.kv().txn(new TxnRequest(
                List.of(new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b("a"), Bytes.EMPTY, 0, b("2"))),
                List.of(PutRequest.of(b("c"), b("4"))), List.of())));
        assertTrue(txn.succeeded());

        assertTrue(failure(client.kv().put(Bytes.EMPTY, b("v"))).is(ErrorCode.EMPTY_KEY));
        long now = await(client.kv().get(b("a"))).header().revision();
        assertTrue(failure(client.kv().range(RangeRequest.of(b("a")).withRevision(now + 10))).is(ErrorCode.FUTURE_REVISION));
        assertTrue(failure(client.kv().put(PutRequest.of(b("k"), b("v")).withLease(4242))).is(ErrorCode.LEASE_NOT_FOUND));
        await(client.kv().compact(CompactionRequest.of(now)));
        assertInstanceOf(CompactedException.class, failure(client.kv().range(RangeRequest.of(b("a")).withRevision(first))));
    }

    @Test
    void watchAndLeases() throws Exception {
        Collector<WatchResponse> seen = new Collector<>();
        WatchStream stream = client.watch().openStream();
        stream.subscribe(seen);
        stream.create(WatchCreateRequest.of(KeyRange.prefix(b("w/"))).withPrevKv(true));
        assertTrue(seen.next().created());
        await(client.kv().put(b("w/1"), b("x")));
        await(client.kv().delete(b("w/1")));
        List<Event> events = new ArrayList<>();
        while (events.size() < 2) {
            events.addAll(seen.next().events());
        }
        assertEquals(List.of(Event.Type.PUT, Event.Type.DELETE), events.stream().map(Event::type).toList());
        assertEquals("x", events.get(1).prevKv().orElseThrow().value().toUtf8());
        stream.cancel(0);
        assertTrue(seen.next().canceled());
        stream.close();

        var lease = await(client.lease().grant(LeaseGrantRequest.of(2)));
        await(client.kv().put(PutRequest.of(b("leased"), b("v")).withLease(lease.id())));
        LeaseKeepAlive keeper = client.keepAlive(lease.id());
        Thread.sleep(TimeUnit.SECONDS.toMillis(3 * lease.ttl()));
        assertTrue(await(client.lease().timeToLive(LeaseTimeToLiveRequest.of(lease.id()))).ttl() > 0);
        assertEquals(1, await(client.kv().get(b("leased"))).count());
        await(client.lease().revoke(new LeaseRevokeRequest(lease.id())));
        assertTrue(failure(keeper.done()).is(ErrorCode.LEASE_NOT_FOUND));
        assertTrue(failure(client.lease().revoke(new LeaseRevokeRequest(lease.id()))).is(ErrorCode.LEASE_NOT_FOUND));
        assertEquals(1, await(client.cluster().memberList()).members().size());
        assertTrue(await(client.maintenance().status()).version().startsWith("3."));
    }

    @Test
    void namespacesIsolateKeys() {
        try (CairnClient app1 = CairnClient.builder().endpoints(etcd.endpoint()).namespace("app1/").build();
             CairnClient app2 = CairnClient.builder().endpoints(etcd.endpoint()).namespace("app2/").build()) {
            await(app1.kv().put(b("k"), b("1")));
            await(app2.kv().put(b("k"), b("2")));
            assertEquals(List.of("k"), keys(await(app1.kv().range(RangeRequest.of(KeyRange.all())))));
            assertEquals("2", await(app2.kv().get(b("k"))).kvs().get(0).value().toUtf8());
            assertEquals(List.of("app1/k", "app2/k"), keys(await(client.kv().range(RangeRequest.of(KeyRange.all())))));
        }
    }

    @Test
    void aWatchResumesAcrossARestartOfEtcd() throws Exception {
        Collector<WatchResponse> seen = new Collector<>();
        WatchStream stream = client.watch().openStream();
        stream.subscribe(seen);
        stream.create(WatchCreateRequest.of(KeyRange.prefix(b("r/"))));
        assertTrue(seen.next().created());
        await(client.kv().put(b("r/1"), b("1")));
        List<Event> events = new ArrayList<>(seen.next().events());
        etcd.stop();
        etcd.start();
        for (int i = 2; i <= 4; i++) {
            await(client.kv().put(b("r/" + i), b(String.valueOf(i))));
        }
        while (events.size() < 4) {
            WatchResponse response = seen.next();
            assertFalse(response.canceled(), response.toString());
            events.addAll(response.events());
        }
        assertEquals(List.of("r/1", "r/2", "r/3", "r/4"), events.stream().map(e -> e.kv().key().toUtf8()).toList());
        assertNull(seen.poll(300), "no repeated event");
        stream.close();
    }

    /** etcd has auth: the client authenticates, sends the token, and gets etcd's errors without one. */
    @Test
    void userAndPasswordAgainstEtcdsAuth() {
        await(client.auth().userAdd(new AuthUserAddRequest("root", "rootpw", false, "")));
        await(client.auth().userGrantRole(new AuthUserGrantRoleRequest("root", "root")));
        await(client.auth().authEnable());
        try (CairnClient root = CairnClient.builder().endpoints(etcd.endpoint()).user("root", "rootpw").build();
             CairnClient wrong = CairnClient.builder().endpoints(etcd.endpoint()).user("root", "nope").build()) {
            await(root.kv().put(b("secret"), b("s")));
            assertEquals("s", await(root.kv().get(b("secret"))).kvs().get(0).value().toUtf8());
            Collector<WatchResponse> seen = new Collector<>();
            root.watch().watch(WatchCreateRequest.of(b("secret"))).subscribe(seen);
            assertTrue(seen.next().created(), "the watch stream carried the token");
            seen.subscription.cancel();

            assertTrue(failure(wrong.kv().get(b("secret"))).is(ErrorCode.AUTH_FAILED));
            assertTrue(failure(client.kv().get(b("secret"))).is(ErrorCode.USER_EMPTY), "no token, no user");
            await(root.auth().authDisable());
        }
    }
}
