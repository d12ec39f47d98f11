package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseStatus;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.maintenance.StatusResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded member end to end, on each storage plugin. */
class CairnServerTest {

    @TempDir
    Path dir;

    private CairnServer start(String storage) {
        return CairnServer.builder().name("n1").dataDir(dir).storage(storage).start();
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static CairnException failure(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, () -> join(future));
        return assertInstanceOf(CairnException.class, e.getCause());
    }

    private static Bytes value(Cairn cairn, String key) {
        List<KeyValue> kvs = join(cairn.kv().get(b(key))).kvs();
        return kvs.isEmpty() ? null : kvs.get(0).value();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void putGetDeleteTxnCompact(String storage) {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            PutResponse put = join(cairn.kv().put(b("a"), b("1")));
            assertEquals(server.clusterId(), put.header().clusterId());
            assertEquals(server.memberId(), put.header().memberId());
            assertTrue(put.header().raftTerm() >= 1, put.header().toString());
            long first = put.header().revision();
            assertEquals(first + 1, join(cairn.kv().put(b("a"), b("2"))).header().revision());
            assertEquals(b("2"), value(cairn, "a"));
            RangeResponse serializable = join(cairn.kv().range(RangeRequest.of(b("a")).withSerializable(true)));
            assertEquals(b("2"), serializable.kvs().get(0).value());
            assertEquals(2, serializable.kvs().get(0).version());

            TxnResponse txn = join(cairn.kv().txn(TxnRequest.empty()
                    .when(Compare.value(b("a"), Compare.Result.EQUAL, b("2")))
                    .then(PutRequest.of(b("b"), b("x")), RangeRequest.of(b("a")))
                    .otherwise(PutRequest.of(b("c"), b("y")))));
            assertTrue(txn.succeeded());
            assertEquals(b("x"), value(cairn, "b"));
            assertEquals(null, value(cairn, "c"));
            // a read-only txn is served as a read
            TxnResponse readOnly = join(cairn.kv().txn(TxnRequest.empty().then(RangeRequest.prefix(b("")))));
            assertEquals(txn.header().revision(), readOnly.header().revision());

            assertEquals(1, join(cairn.kv().delete(b("b"))).deleted());
            assertEquals(null, value(cairn, "b"));

            long current = join(cairn.kv().get(b("a"))).header().revision();
            join(cairn.kv().compact(CompactionRequest.of(current)));
            CairnException compacted = failure(cairn.kv().range(RangeRequest.of(b("a")).withRevision(first)));
            assertTrue(compacted.is(ErrorCode.COMPACTED), compacted.toString());
            // etcd's rejections come back typed, and the entry still counts as applied
            CairnException future = failure(cairn.kv().compact(CompactionRequest.of(current + 100)));
            assertTrue(future.is(ErrorCode.FUTURE_REVISION), future.toString());
            CairnException empty = failure(cairn.kv().put(PutRequest.of(Bytes.EMPTY, b("v"))));
            assertTrue(empty.is(ErrorCode.EMPTY_KEY), empty.toString());
            CairnException noLease = failure(cairn.kv().put(PutRequest.of(b("l"), b("v")).withLease(12345)));
            assertTrue(noLease.is(ErrorCode.LEASE_NOT_FOUND), noLease.toString());
            assertEquals(b("2"), value(cairn, "a"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void linearizableReadSeesEveryAcknowledgedWrite(String storage) {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            for (int i = 0; i < 20; i++) {
                join(cairn.kv().put(b("k"), b("v" + i)));
                assertEquals(b("v" + i), value(cairn, "k"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void groupCommitSharesOneSyncAmongConcurrentProposals(String storage) {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            long readiesBefore = server.readies();
            long syncsBefore = server.syncedLogWrites();
            int puts = 300;
            List<CompletableFuture<PutResponse>> futures = new ArrayList<>();
            for (int i = 0; i < puts; i++) {
                futures.add(cairn.kv().put(b("g" + i), b("v")));
            }
            futures.forEach(CairnServerTest::join);
            long readies = server.readies() - readiesBefore;
            long syncs = server.syncedLogWrites() - syncsBefore;
            assertTrue(syncs < puts / 2, syncs + " synced log writes for " + puts + " puts");
            assertTrue(readies < puts, readies + " readies for " + puts + " puts");
            assertEquals(puts, join(cairn.kv().range(RangeRequest.prefix(b("g")).withCountOnly(true))).count());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void revokeDeletesTheKeysOfTheLease(String storage) {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            long id = join(cairn.lease().grant(LeaseGrantRequest.of(60))).id();
            assertNotEquals(0, id);
            join(cairn.kv().put(PutRequest.of(b("l1"), b("v")).withLease(id)));
            join(cairn.kv().put(PutRequest.of(b("l2"), b("v")).withLease(id)));
            long before = join(cairn.kv().get(b("l1"))).header().revision();
            LeaseTimeToLiveResponse ttl = join(cairn.lease().timeToLive(LeaseTimeToLiveRequest.of(id).withKeys(true)));
            assertEquals(60, ttl.grantedTtl());
            assertEquals(List.of(b("l1"), b("l2")), ttl.keys());
            assertEquals(List.of(id), join(cairn.lease().leases()).leases().stream().map(LeaseStatus::id).toList());

            join(cairn.lease().revoke(new LeaseRevokeRequest(id)));
            RangeResponse after = join(cairn.kv().range(RangeRequest.prefix(b("l"))));
            assertEquals(0, after.count());
            assertEquals(before + 1, after.header().revision(), "both keys go in one revision");
            assertTrue(failure(cairn.lease().revoke(new LeaseRevokeRequest(id))).is(ErrorCode.LEASE_NOT_FOUND));
            assertTrue(join(cairn.lease().grant(LeaseGrantRequest.of(5).withId(77))).id() == 77);
            assertTrue(failure(cairn.lease().grant(LeaseGrantRequest.of(5).withId(77))).is(ErrorCode.LEASE_EXISTS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void anExpiredLeaseIsRevokedThroughTheLog(String storage) throws InterruptedException {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            long id = join(cairn.lease().grant(LeaseGrantRequest.of(1))).id(); // raised to the 2 s minimum
            join(cairn.kv().put(PutRequest.of(b("short"), b("v")).withLease(id)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (value(cairn, "short") != null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(null, value(cairn, "short"), "the key of the expired lease is deleted");
            assertTrue(join(cairn.lease().leases()).leases().isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void keepAliveHoldsALeasePastItsTtl(String storage) throws InterruptedException {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            long id = join(cairn.lease().grant(LeaseGrantRequest.of(3))).id();
            join(cairn.kv().put(PutRequest.of(b("kept"), b("v")).withLease(id)));
            for (int i = 0; i < 10; i++) {
                Thread.sleep(500);
                LeaseKeepAliveResponse renewed = join(cairn.lease().keepAliveOnce(id));
                assertEquals(3, renewed.ttl());
            }
            assertEquals(b("v"), value(cairn, "kept"), "5 s after the grant of a 3 s lease, kept alive");
            assertEquals(0, join(cairn.lease().keepAliveOnce(424242)).ttl(), "unknown lease: ttl 0");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void restartKeepsDataRevisionsAndLeases(String storage) {
        long revision;
        long lease;
        long memberId;
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            lease = join(cairn.lease().grant(LeaseGrantRequest.of(60))).id();
            join(cairn.kv().put(PutRequest.of(b("leased"), b("v")).withLease(lease)));
            revision = join(cairn.kv().put(b("plain"), b("p"))).header().revision();
            memberId = server.memberId();
        }
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            assertEquals(memberId, server.memberId());
            assertEquals(b("p"), value(cairn, "plain"));
            assertEquals(b("v"), value(cairn, "leased"));
            assertEquals(revision + 1, join(cairn.kv().put(b("plain"), b("q"))).header().revision());
            LeaseTimeToLiveResponse ttl = join(cairn.lease().timeToLive(LeaseTimeToLiveRequest.of(lease)));
            assertEquals(60, ttl.grantedTtl());
            assertTrue(ttl.ttl() >= 59, "a restarted leader gives the lease its full TTL again: " + ttl);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void replaysTheLogIntoAStateMachineThatFellBehind(String storage) throws Exception {
        Path behind = dir.resolveSibling(dir.getFileName() + "-behind");
        long revision;
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            join(cairn.kv().put(b("early"), b("1")));
            long lease = join(cairn.lease().grant(LeaseGrantRequest.of(60))).id();
            // what a crash could leave: the state machine at this point, the log further on
            server.stateBackendForTests().checkpoint(behind);
            join(cairn.kv().put(PutRequest.of(b("late"), b("2")).withLease(lease)));
            join(cairn.kv().delete(b("early")));
            revision = join(cairn.kv().put(b("last"), b("3"))).header().revision();
            server.closeAbruptly();
        }
        Path state = dir.resolve("member").resolve("state");
        try (Stream<Path> paths = Files.walk(state)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.move(behind, state);
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            assertEquals(null, value(cairn, "early"));
            assertEquals(b("2"), value(cairn, "late"));
            assertEquals(b("3"), value(cairn, "last"));
            assertEquals(revision, join(cairn.kv().get(b("last"))).header().revision());
            assertEquals(revision + 1, join(cairn.kv().put(b("next"), b("4"))).header().revision());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void restartsAfterTheLogPrefixWasCompacted(String storage) {
        long revision;
        try (CairnServer server = start(storage)) {
            server.node().snapshotEvery(50, 10);
            Cairn cairn = server.client();
            for (int i = 0; i < 120; i++) {
                join(cairn.kv().put(b("c" + (i % 7)), b("v" + i)));
            }
            revision = join(cairn.kv().put(b("final"), b("f"))).header().revision();
            assertTrue(server.node().raftLog().firstIndex() > 50, "first index " + server.node().raftLog().firstIndex());
        }
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            assertEquals(b("f"), value(cairn, "final"));
            assertEquals(b("v119"), value(cairn, "c0"));
            assertEquals(revision + 1, join(cairn.kv().put(b("after"), b("a"))).header().revision());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void clusterAndMaintenance(String storage) {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            var members = join(cairn.cluster().memberList()).members();
            assertEquals(1, members.size());
            assertEquals("n1", members.get(0).name());
            assertEquals(server.memberId(), members.get(0).id());
            assertEquals(List.of("http://localhost:2380"), members.get(0).peerUrls());
            assertTrue(failure(cairn.cluster().memberRemove(new io.cairn.api.cluster.MemberRemoveRequest(server.memberId())))
                    .is(ErrorCode.MEMBER_NOT_ENOUGH_STARTED));

            join(cairn.kv().put(b("s"), b("v")));
            StatusResponse status = join(cairn.maintenance().status());
            assertEquals("3.5.0", status.version());
            assertEquals(server.memberId(), status.leader());
            assertTrue(status.raftIndex() >= status.raftAppliedIndex() && status.raftAppliedIndex() > 1, status.toString());
            assertTrue(status.dbSize() > 0, status.toString());

            assertTrue(failure(cairn.lock().lock(new io.cairn.api.lock.LockRequest(b("x"), 0x5eed))).is(ErrorCode.LEASE_NOT_FOUND));
            assertFalse(join(cairn.auth().authStatus()).enabled(), "auth is off until enabled");
            assertEquals(status.header().clusterId(), join(cairn.maintenance().defragment()).header().clusterId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void watchSeesAppliedWrites(String storage) throws InterruptedException {
        try (CairnServer server = start(storage)) {
            Cairn cairn = server.client();
            java.util.concurrent.BlockingQueue<io.cairn.api.watch.WatchResponse> responses =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            io.cairn.api.watch.WatchStream stream = cairn.watch().openStream();
            stream.subscribe(new java.util.concurrent.Flow.Subscriber<>() {
                @Override public void onSubscribe(java.util.concurrent.Flow.Subscription s) { s.request(Long.MAX_VALUE); }
                @Override public void onNext(io.cairn.api.watch.WatchResponse r) { responses.add(r); }
                @Override public void onError(Throwable t) { t.printStackTrace(); }
                @Override public void onComplete() {}
            });
            stream.create(io.cairn.api.watch.WatchCreateRequest.prefix(b("w/")));
            io.cairn.api.watch.WatchResponse created = responses.poll(10, TimeUnit.SECONDS);
            assertTrue(created != null && created.created(), String.valueOf(created));
            long revision = join(cairn.kv().put(b("w/1"), b("a"))).header().revision();
            List<io.cairn.api.watch.Event> events = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.isEmpty() && System.nanoTime() < deadline) {
                io.cairn.api.watch.WatchResponse r = responses.poll(100, TimeUnit.MILLISECONDS);
                if (r != null) {
                    events.addAll(r.events());
                    assertEquals(server.memberId(), r.header().memberId());
                }
            }
            assertEquals(1, events.size(), events.toString());
            assertEquals(b("w/1"), events.get(0).kv().key());
            assertEquals(revision, events.get(0).kv().modRevision());
            stream.close();
        }
    }

    @Test
    void memberAndClusterIdsAreDeterministic() {
        long a = CairnServer.memberId("n1", List.of("http://10.0.0.1:2380"), "tok");
        assertEquals(a, CairnServer.memberId("n1", List.of("http://10.0.0.1:2380"), "tok"));
        assertNotEquals(a, CairnServer.memberId("n1", List.of("http://10.0.0.1:2380"), "other"));
        assertNotEquals(a, CairnServer.memberId("n2", List.of("http://10.0.0.1:2380"), "tok"));
        assertEquals(CairnServer.clusterId(List.of(a, 5L), "tok"), CairnServer.clusterId(List.of(5L, a), "tok"));
        assertNotEquals(CairnServer.clusterId(List.of(a), "tok"), CairnServer.clusterId(List.of(a), "tok2"));
    }

    @Test
    void startErrorsNameTheProblem() {
        CairnServer.StartException unknown = assertThrows(CairnServer.StartException.class,
                () -> CairnServer.builder().dataDir(dir).storage("nosuch").start());
        assertTrue(unknown.getMessage().contains("nosuch") && unknown.getMessage().contains("rocksdb")
                && unknown.getMessage().contains("xodus"), unknown.getMessage());
        try (CairnServer server = start("rocksdb")) {
            CairnServer.StartException locked = assertThrows(CairnServer.StartException.class, () -> start("rocksdb"));
            assertTrue(locked.getMessage().contains(dir.toString()), locked.getMessage());
            assertTrue(locked.getMessage().contains("locked"), locked.getMessage());
        }
        CairnServer.StartException transport = assertThrows(CairnServer.StartException.class,
                () -> CairnServer.builder().dataDir(dir).clientUrls(List.of(java.net.URI.create("http://127.0.0.1:0")))
                        .transports(List.of("carrier-pigeon")).start());
        assertTrue(transport.getMessage().contains("carrier-pigeon"), transport.getMessage());
        assertFalse(transport.getMessage().isBlank());
    }
}
