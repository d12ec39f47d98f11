package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.maintenance.AlarmMember;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.api.maintenance.HashKVRequest;
import io.cairn.api.maintenance.SnapshotResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Maintenance end to end on an embedded member: snapshot → restore, quota and alarms, defragment, hashes, auto-compaction. */
class MaintenanceTest {

    @TempDir
    Path dir;

    private final List<CairnServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(CairnServer::close);
    }

    private CairnServer start(CairnServer.Builder builder) {
        CairnServer server = builder.start();
        servers.add(server);
        return server;
    }

    private CairnServer.Builder member(String name, Path dataDir, String storage) {
        return CairnServer.builder().name(name).dataDir(dataDir).storage(storage);
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    private static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static CairnException failure(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, () -> join(future));
        return assertInstanceOf(CairnException.class, e.getCause());
    }

    private static KeyValue get(Cairn cairn, String key) {
        List<KeyValue> kvs = join(cairn.kv().get(b(key))).kvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    /** Reads the whole snapshot stream into {@code file}, one chunk requested at a time. */
    static List<SnapshotResponse> saveSnapshot(Cairn cairn, Path file) throws IOException {
        List<SnapshotResponse> chunks = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        cairn.maintenance().snapshot().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override public void onSubscribe(Flow.Subscription s) { subscription = s; s.request(1); }
            @Override public void onNext(SnapshotResponse item) { chunks.add(item); subscription.request(1); }
            @Override public void onError(Throwable t) { done.completeExceptionally(t); }
            @Override public void onComplete() { done.complete(null); }
        });
        join(done);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (SnapshotResponse chunk : chunks) {
                out.write(chunk.blob().toByteArray());
            }
        }
        return chunks;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    // ---- snapshot and restore -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void snapshotRestoreKeepsKeysRevisionsAndLeases(String storage) throws IOException {
        CairnServer source = start(member("src", dir.resolve("src"), storage));
        Cairn cairn = source.client();
        for (int i = 0; i < 300; i++) {
            join(cairn.kv().put(b("key/" + i), b("value-" + i + "-" + "x".repeat(i % 50))));
        }
        join(cairn.kv().put(b("key/7"), b("seven again")));
        join(cairn.kv().deleteRange(new DeleteRangeRequest(b("key/8"), Bytes.EMPTY, false)));
        long lease = join(cairn.lease().grant(new LeaseGrantRequest(600, 0))).id();
        join(cairn.kv().put(new PutRequest(b("leased"), b("v"), lease, false, false, false)));
        join(cairn.kv().compact(new CompactionRequest(100, false)));
        long revision = join(cairn.kv().get(b("key/1"))).header().revision();
        KeyValue seven = get(cairn, "key/7");

        Path file = dir.resolve("snap.db");
        List<SnapshotResponse> chunks = saveSnapshot(cairn, file);
        assertEquals(0, chunks.get(chunks.size() - 1).remainingBytes(), "the last chunk has nothing after it");
        assertEquals(revision, chunks.get(0).header().revision(), "first chunk's header revision");
        assertEquals(Files.size(file) - chunks.get(0).blob().size(), chunks.get(0).remainingBytes());

        SnapshotFiles.Status status = SnapshotFiles.status(file);
        assertEquals(revision, status.revision(), "status revision");
        assertEquals(Files.size(file), status.totalSize());
        assertTrue(status.totalKeys() > 300, "records: " + status.totalKeys());
        assertEquals(status, SnapshotFiles.status(file), "status is stable");

        URI peer = URI.create("http://127.0.0.1:12999");
        Path restored = dir.resolve("restored");
        List<long[]> progress = new ArrayList<>();
        SnapshotFiles.restore(file, new SnapshotFiles.RestoreTarget(restored, "r1", List.of(peer), Map.of("r1", List.of(peer)),
                "restored-cluster", storage), (done, total) -> progress.add(new long[] {done, total}));
        assertFalse(progress.isEmpty(), "progress was reported");
        long[] last = progress.get(progress.size() - 1);
        assertEquals(last[1], last[0], "progress ends at the total");

        CairnServer.StartException wrongName = assertThrows(CairnServer.StartException.class, () -> start(
                CairnServer.builder().name("other").dataDir(restored).storage(storage).peerUrls(List.of(peer))
                        .initialClusterToken("restored-cluster")));
        assertTrue(wrongName.getMessage().contains("belongs to member r1"), wrongName.getMessage());
        CairnServer copy = start(CairnServer.builder().name("r1").dataDir(restored).storage(storage).peerUrls(List.of(peer))
                .initialClusterToken("restored-cluster"));
        assertNotEquals(source.memberId(), copy.memberId(), "a new member identity");
        assertNotEquals(source.clusterId(), copy.clusterId(), "a new cluster");
        Cairn restoredCairn = copy.client();
        assertEquals(revision, join(restoredCairn.kv().get(b("key/1"))).header().revision(), "revision kept");
        assertEquals(seven, get(restoredCairn, "key/7"), "key with its create/mod revisions and version kept");
        assertEquals(null, get(restoredCairn, "key/8"), "deleted key stays deleted");
        assertEquals(299, join(restoredCairn.kv().range(new RangeRequest(b("key/"), b("key0"), 0, 0,
                RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, false, false, true, 0, 0, 0, 0))).count());
        assertEquals(lease, get(restoredCairn, "leased").lease(), "leased key kept");
        assertTrue(join(restoredCairn.lease().leases()).leases().stream().anyMatch(l -> l.id() == lease), "lease kept");
        CairnException compacted = failure(restoredCairn.kv().range(new RangeRequest(b("key/1"), Bytes.EMPTY, 0, 50,
                RangeRequest.SortOrder.NONE, RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0)));
        assertEquals(ErrorCode.COMPACTED, compacted.errorCode().orElseThrow(), "compaction kept");
        assertEquals(join(cairn.maintenance().hashKV(new HashKVRequest(revision))).hash(),
                join(restoredCairn.maintenance().hashKV(new HashKVRequest(revision))).hash(), "same history");
        assertEquals(revision + 1, join(restoredCairn.kv().put(b("new"), b("1"))).header().revision(),
                "writes go on from the snapshot's revision");
        assertEquals(1, join(restoredCairn.cluster().memberList(new io.cairn.api.cluster.MemberListRequest(true))).members().size());

        copy.close();
        servers.remove(copy);
        CairnServer again = start(CairnServer.builder().name("r1").dataDir(restored).storage(storage).peerUrls(List.of(peer))
                .initialClusterToken("restored-cluster"));
        assertEquals(revision + 1, join(again.client().kv().get(b("new"))).header().revision(), "restart keeps it all");
        assertEquals(seven, get(again.client(), "key/7"));
    }

    @Test
    void corruptedOrTruncatedSnapshotIsRefused() throws IOException {
        CairnServer source = start(member("src", dir.resolve("src"), "rocksdb"));
        join(source.client().kv().put(b("k"), b("v")));
        Path file = dir.resolve("snap.db");
        saveSnapshot(source.client(), file);
        byte[] bytes = Files.readAllBytes(file);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x40;
        Path corrupt = dir.resolve("corrupt.db");
        Files.write(corrupt, flipped);
        URI peer = URI.create("http://127.0.0.1:12998");
        SnapshotFiles.RestoreTarget target = new SnapshotFiles.RestoreTarget(dir.resolve("out"), "r", List.of(peer),
                Map.of("r", List.of(peer)), "t", "rocksdb");
        IOException e = assertThrows(IOException.class, () -> SnapshotFiles.restore(corrupt, target, (d, t) -> {}));
        assertTrue(e.getMessage().contains("is corrupted") && e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(target.dataDir()), "nothing written for a corrupted file");
        assertThrows(IOException.class, () -> SnapshotFiles.status(corrupt));

        Path truncated = dir.resolve("truncated.db");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        IOException t = assertThrows(IOException.class, () -> SnapshotFiles.restore(truncated, target, (d, x) -> {}));
        assertTrue(t.getMessage().contains("corrupted"), t.getMessage());

        Files.createDirectories(target.dataDir());
        Files.writeString(target.dataDir().resolve("something"), "x");
        IOException exists = assertThrows(IOException.class, () -> SnapshotFiles.restore(file, target, (d, x) -> {}));
        assertTrue(exists.getMessage().contains("exists"), exists.getMessage());
        assertTrue(Files.exists(target.dataDir().resolve("something")), "a refused restore leaves the directory alone");
    }

    // ---- quota and alarms ---------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void quotaRaisesNoSpaceWhichRefusesWritesUntilSpaceIsFreedAndDisarmed(String storage) {
        long quota = 4L << 20;
        CairnServer.Builder builder = member("q", dir.resolve("q"), storage).quotaBackendBytes(quota);
        if (storage.equals("xodus")) {
            // Xodus's GC never cleans the log file being written: with its default 8 MiB files, a 4 MiB
            // quota's data would all sit in that one file and defragment could give nothing back
            builder.option("xodus.log-file-size", "512");
        }
        CairnServer server = start(builder);
        Cairn cairn = server.client();
        Bytes big = Bytes.of(new byte[256 * 1024]);
        CairnException refused = null;
        for (int i = 0; i < 400 && refused == null; i++) {
            try {
                join(cairn.kv().put(b("big/" + (i % 8)), big));
            } catch (CompletionException e) {
                refused = assertInstanceOf(CairnException.class, e.getCause());
            }
        }
        assertTrue(refused != null, "the quota was never reached");
        assertEquals(ErrorCode.NO_SPACE, refused.errorCode().orElseThrow());
        assertEquals("etcdserver: mvcc: database space exceeded", refused.getMessage());
        await("the NOSPACE alarm", () -> !join(cairn.maintenance().alarm(AlarmRequest.get())).alarms().isEmpty());
        assertEquals(List.of(new AlarmMember(server.memberId(), AlarmType.NOSPACE)),
                join(cairn.maintenance().alarm(AlarmRequest.get())).alarms());
        assertTrue(join(cairn.maintenance().status()).errors().stream().anyMatch(s -> s.contains("NOSPACE")), "status errors");

        // writes are refused, whatever their size; reads, deletes and compaction go on
        assertEquals(ErrorCode.NO_SPACE, failure(cairn.kv().put(b("small"), b("1"))).errorCode().orElseThrow());
        assertEquals(ErrorCode.NO_SPACE, failure(cairn.kv().txn(new TxnRequest(List.of(),
                List.of(new PutRequest(b("t"), b("1"), 0, false, false, false)), List.of()))).errorCode().orElseThrow());
        assertEquals(ErrorCode.NO_SPACE, failure(cairn.lease().grant(new LeaseGrantRequest(60, 0))).errorCode().orElseThrow());
        assertTrue(get(cairn, "big/0") != null, "reads work");
        long revision = join(cairn.kv().deleteRange(new DeleteRangeRequest(b("big/"), b("big0"), false))).header().revision();
        join(cairn.kv().compact(new CompactionRequest(revision, false)));
        join(cairn.maintenance().defragment());
        long stateSize = server.stateBackendForTests().stats().sizeOnDiskBytes();
        assertTrue(stateSize < quota, "defragment gave space back: " + stateSize + " bytes left");
        assertEquals(ErrorCode.NO_SPACE, failure(cairn.kv().put(b("small"), b("1"))).errorCode().orElseThrow(),
                "still refused until disarmed");

        List<AlarmMember> disarmed = join(cairn.maintenance().alarm(new AlarmRequest(AlarmRequest.Action.DEACTIVATE,
                server.memberId(), AlarmType.NOSPACE))).alarms();
        assertEquals(List.of(new AlarmMember(server.memberId(), AlarmType.NOSPACE)), disarmed);
        assertTrue(join(cairn.maintenance().alarm(AlarmRequest.get())).alarms().isEmpty());
        join(cairn.kv().put(b("small"), b("1")));
        join(cairn.lease().grant(new LeaseGrantRequest(60, 0)));
    }

    @Test
    void alarmsSurviveRestart() {
        Path data = dir.resolve("a");
        CairnServer server = start(member("a", data, "rocksdb"));
        join(server.client().maintenance().alarm(new AlarmRequest(AlarmRequest.Action.ACTIVATE, server.memberId(),
                AlarmType.NOSPACE)));
        long id = server.memberId();
        server.close();
        servers.remove(server);
        CairnServer again = start(member("a", data, "rocksdb"));
        assertEquals(List.of(new AlarmMember(id, AlarmType.NOSPACE)),
                join(again.client().maintenance().alarm(AlarmRequest.get())).alarms());
        assertEquals(ErrorCode.NO_SPACE, failure(again.client().kv().put(b("k"), b("v"))).errorCode().orElseThrow());
        join(again.client().maintenance().alarm(new AlarmRequest(AlarmRequest.Action.DEACTIVATE, 0, AlarmType.NONE)));
        join(again.client().kv().put(b("k"), b("v")));
    }

    // ---- defragment and hashes ----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "xodus"})
    void defragmentKeepsDataAndLetsWritesAndReadsGoOn(String storage) throws Exception {
        CairnServer server = start(member("d", dir.resolve("d"), storage));
        Cairn cairn = server.client();
        Bytes value = Bytes.of(new byte[2048]);
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                puts.add(cairn.kv().put(b("k/" + i), value));
            }
            puts.forEach(MaintenanceTest::join);
        }
        long before = join(cairn.maintenance().hash()).hash();
        AtomicBoolean defragmenting = new AtomicBoolean(true);
        AtomicLong slowest = new AtomicLong();
        AtomicLong writesDuring = new AtomicLong();
        Thread load = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (defragmenting.get()) {
                long t0 = System.nanoTime();
                join(cairn.kv().put(b("load/" + (i++ % 50)), b("v" + i)));
                get(cairn, "k/1");
                slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                writesDuring.incrementAndGet();
            }
        });
        join(cairn.maintenance().defragment());
        defragmenting.set(false);
        load.join();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(slowest.get()) < 5000, "a write and read took " + slowest.get() / 1e6 + " ms");
        assertEquals(1000, join(cairn.kv().range(new RangeRequest(b("k/"), b("k0"), 0, 0, RangeRequest.SortOrder.NONE,
                RangeRequest.SortTarget.KEY, false, false, true, 0, 0, 0, 0))).count());
        assertTrue(writesDuring.get() > 0);
        long after = join(cairn.maintenance().hash()).hash();
        assertNotEquals(before, after, "the load's writes changed the hash");
        assertEquals(after, join(cairn.maintenance().hash()).hash(), "hash is stable without writes");
    }

    @Test
    void hashAndHashKvAgreeOnEveryMemberOfACluster() {
        InMemoryPeers network = new InMemoryPeers();
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("n" + i, List.of(URI.create("http://127.0.0.1:2490" + i)));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            CairnServer.Builder builder = CairnServer.builder().name("n" + i).dataDir(dir.resolve("n" + i))
                    .peerUrls(initial.get("n" + i)).initialCluster(initial).peerEndpoints(network.factory());
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        List<CairnServer> members = starting.stream().map(CompletableFuture::join).toList();
        servers.addAll(members);
        Cairn any = members.get(0).client();
        for (int i = 0; i < 100; i++) {
            join(any.kv().put(b("k" + i % 10), b("v" + i)));
        }
        join(any.kv().compact(new CompactionRequest(50, false)));
        long revision = join(any.kv().put(b("last"), b("1"))).header().revision();
        await("every member applied the same entries", () -> members.stream()
                .map(m -> m.node().appliedIndex()).distinct().count() == 1);
        List<Long> hashes = members.stream().map(m -> join(m.client().maintenance().hash()).hash()).toList();
        assertEquals(1, hashes.stream().distinct().count(), "Hash on every member: " + hashes);
        List<Long> kvHashes = members.stream()
                .map(m -> join(m.client().maintenance().hashKV(new HashKVRequest(revision))).hash()).toList();
        assertEquals(1, kvHashes.stream().distinct().count(), "HashKV on every member: " + kvHashes);
        // an alarm raised through the log is on every member
        join(any.maintenance().alarm(new AlarmRequest(AlarmRequest.Action.ACTIVATE, members.get(1).memberId(),
                AlarmType.NOSPACE)));
        for (CairnServer m : members) {
            assertEquals(List.of(new AlarmMember(members.get(1).memberId(), AlarmType.NOSPACE)),
                    join(m.client().maintenance().alarm(AlarmRequest.get())).alarms());
            assertEquals(ErrorCode.NO_SPACE, failure(m.client().kv().put(b("x"), b("y"))).errorCode().orElseThrow());
        }
    }

    // ---- auto-compaction ----------------------------------------------------------------------

    @Test
    void revisionAutoCompactionKeepsTheLastRevisions() {
        CairnServer server = start(member("c", dir.resolve("c"), "rocksdb")
                .autoCompaction(AutoCompaction.parse("revision", "5", Duration.ofMillis(100))));
        Cairn cairn = server.client();
        long revision = 0;
        for (int i = 0; i < 20; i++) {
            revision = join(cairn.kv().put(b("k"), b("v" + i))).header().revision();
        }
        long expected = revision - 5;
        await("compaction to " + expected, () -> server.node() != null && compactRevision(cairn) == expected);
    }

    @Test
    void periodicAutoCompactionCompactsToTheRevisionOfOnePeriodAgo() {
        CairnServer server = start(member("p", dir.resolve("p"), "rocksdb")
                .autoCompaction(AutoCompaction.parse("periodic", "500ms", AutoCompaction.DEFAULT_REVISION_CHECK_INTERVAL)));
        Cairn cairn = server.client();
        long first = join(cairn.kv().put(b("k"), b("first"))).header().revision();
        await("a periodic compaction", () -> {
            join(cairn.kv().put(b("k"), b("more")));
            return compactRevision(cairn) >= first;
        });
    }

    /** The compact revision as a client sees it: a read at revision 1 fails with it. */
    private static long compactRevision(Cairn cairn) {
        try {
            join(cairn.kv().range(new RangeRequest(b("k"), Bytes.EMPTY, 0, 1, RangeRequest.SortOrder.NONE,
                    RangeRequest.SortTarget.KEY, false, false, false, 0, 0, 0, 0)));
            return 0;
        } catch (CompletionException e) {
            if (e.getCause() instanceof io.cairn.api.CompactedException c) {
                return c.compactRevision().orElse(0);
            }
            throw e;
        }
    }

    @Test
    void autoCompactionSettingsFollowEtcd() {
        assertEquals(Duration.ofHours(1), AutoCompaction.parse("periodic", "1", Duration.ofMinutes(5)).period());
        assertEquals(Duration.ofMinutes(30), AutoCompaction.parse("periodic", "0.5", Duration.ofMinutes(5)).period());
        assertEquals(Duration.ofMinutes(90), AutoCompaction.parse("periodic", "1h30m", Duration.ofMinutes(5)).period());
        assertEquals(Duration.ofMinutes(5), AutoCompaction.parse("periodic", "5m", Duration.ofMinutes(5)).period());
        assertFalse(AutoCompaction.parse("periodic", "0", Duration.ofMinutes(5)).enabled());
        assertEquals(1000, AutoCompaction.parse("revision", "1000", Duration.ofMinutes(5)).revisions());
        assertThrows(IllegalArgumentException.class, () -> AutoCompaction.parse("revision", "1h", Duration.ofMinutes(5)));
        assertThrows(IllegalArgumentException.class, () -> AutoCompaction.parse("periodic", "soon", Duration.ofMinutes(5)));
        assertThrows(IllegalArgumentException.class, () -> AutoCompaction.parse("daily", "1", Duration.ofMinutes(5)));

        // periodic 10m: samples every minute, compacts every 10 minutes to the revision of 10 minutes ago
        AutoCompaction tenMinutes = AutoCompaction.parse("periodic", "10m", Duration.ofMinutes(5));
        assertEquals(Duration.ofMinutes(1), tenMinutes.tickInterval());
        long minute = TimeUnit.MINUTES.toNanos(1);
        AutoCompaction.Policy policy = tenMinutes.policy(0);
        List<Long> asked = new ArrayList<>();
        for (int m = 1; m <= 25; m++) {
            long now = m * minute;
            policy.tick(now, 100L * m, -1).ifPresent(rev -> { // 100 revisions a minute
                asked.add(rev);
                policy.compacted(now, rev);
            });
        }
        assertEquals(List.of(100L, 1100L), asked, "every 10 minutes, to the revision sampled 10 minutes before");

        // periodic 2h: compacts every hour, keeping two hours
        AutoCompaction twoHours = AutoCompaction.parse("periodic", "2h", Duration.ofMinutes(5));
        assertEquals(Duration.ofMinutes(6), twoHours.tickInterval());
        AutoCompaction.Policy hourly = twoHours.policy(0);
        long tick = TimeUnit.MINUTES.toNanos(6);
        long lastAsked = -1;
        for (int t = 1; t <= 30; t++) { // three hours of ticks, one revision a tick
            var target = hourly.tick(t * tick, t, -1);
            if (target.isPresent()) {
                lastAsked = target.getAsLong();
                hourly.compacted(t * tick, lastAsked);
                assertEquals(Math.max(1, t - 19), lastAsked, "at tick " + t + " keep two hours (20 ticks)");
            }
        }
        assertEquals(11, lastAsked);

        // revision 5: compacts to current - 5 when that moved
        AutoCompaction.Policy revisions = AutoCompaction.parse("revision", "5", Duration.ofMinutes(5)).policy(0);
        assertEquals(15, revisions.tick(0, 20, -1).orElseThrow());
        revisions.compacted(0, 15);
        assertTrue(revisions.tick(0, 20, 15).isEmpty(), "nothing new");
        assertEquals(16, revisions.tick(0, 21, 15).orElseThrow());
        assertTrue(AutoCompaction.parse("revision", "5", Duration.ofMinutes(5)).policy(0).tick(0, 4, -1).isEmpty());
    }

    @Test
    void snapshotChunksAreEtcdSized() throws IOException {
        CairnServer server = start(member("s", dir.resolve("s"), "rocksdb"));
        for (int i = 0; i < 50; i++) {
            join(server.client().kv().put(b("k" + i), Bytes.of(new byte[4096])));
        }
        Path file = dir.resolve("s.db");
        List<SnapshotResponse> chunks = saveSnapshot(server.client(), file);
        assertTrue(chunks.size() > 2);
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertEquals(LocalMaintenance.SNAPSHOT_CHUNK_BYTES, chunks.get(i).blob().size());
        }
        byte[] digest = java.util.Arrays.copyOfRange(Files.readAllBytes(file), (int) Files.size(file) - 32, (int) Files.size(file));
        assertArrayEquals(digest, sha256Before(file), "the file ends with the SHA-256 of what precedes it (etcd's layout)");
        assertFalse(Files.list(dir.resolve("s/member/snap")).findAny().isPresent(), "the server kept no snapshot file");
    }

    private static byte[] sha256Before(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        java.security.MessageDigest sha = StateSnapshots.sha256();
        sha.update(all, 0, all.length - 32);
        return sha.digest();
    }
}
