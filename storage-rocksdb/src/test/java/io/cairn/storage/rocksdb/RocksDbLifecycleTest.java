package io.cairn.storage.rocksdb;

import static io.cairn.storage.rocksdb.Fixtures.bytes;
import static io.cairn.storage.rocksdb.Fixtures.keys;
import static io.cairn.storage.rocksdb.Fixtures.open;
import static io.cairn.storage.rocksdb.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.KeyValuePair;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageException.Reason;
import io.cairn.spi.storage.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots, concurrency, argument checks, and what happens after close. */
class RocksDbLifecycleTest {

    @TempDir
    Path temp;

    @Test
    void snapshotDoesNotSeeLaterWrites() {
        try (Backend backend = open(temp.resolve("db"), "data", "meta")) {
            backend.write(new WriteBatch()
                    .put("data", bytes("a"), bytes("1"))
                    .put("data", bytes("b"), bytes("1"))
                    .put("meta", bytes("m"), bytes("1")), Durability.SYNCED);
            try (ReadSnapshot snapshot = backend.snapshot()) {
                backend.write(new WriteBatch()
                        .put("data", bytes("a"), bytes("2"))
                        .delete("data", bytes("b"))
                        .put("data", bytes("c"), bytes("2"))
                        .deleteRange("meta", null, null), Durability.NOT_SYNCED);
                assertArrayEquals(bytes("1"), snapshot.get("data", bytes("a")));
                assertArrayEquals(bytes("1"), snapshot.get("data", bytes("b")));
                assertNull(snapshot.get("data", bytes("c")));
                assertArrayEquals(bytes("1"), snapshot.get("meta", bytes("m")));
                assertEquals(List.of("61", "62"), keys(snapshot.scan("data", null, null, ScanOrder.ASCENDING, 0)));
                assertEquals(List.of("62", "61"), keys(snapshot.scan("data", null, null, ScanOrder.DESCENDING, 0)));

                assertArrayEquals(bytes("2"), backend.get("data", bytes("a")));
                assertEquals(List.of("61", "63"), keys(backend.scan("data", null, null, ScanOrder.ASCENDING, 0)));
                assertEquals(List.of(), backend.scan("meta", null, null, ScanOrder.ASCENDING, 0));
            }
        }
    }

    /**
     * A writer keeps the invariant "a == b" with batches; readers on snapshots and on the live
     * backend must never see it broken, and a snapshot must read the same twice.
     */
    @Test
    void snapshotsAndLiveReadsSeeWholeBatchesWhileWritesGoOn() throws Exception {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            backend.write(pair(0), Durability.NOT_SYNCED);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong written = new AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (long i = 1; !stop.get(); i++) {
                    backend.write(pair(i), Durability.NOT_SYNCED);
                    written.set(i);
                }
            });
            try {
                long deadline = System.nanoTime() + 300_000_000L;
                int checks = 0;
                while (System.nanoTime() < deadline || checks < 50) {
                    try (ReadSnapshot snapshot = backend.snapshot()) {
                        List<KeyValuePair> first = snapshot.scan("data", null, null, ScanOrder.ASCENDING, 0);
                        assertEquals(2, first.size());
                        assertArrayEquals(first.get(0).value(), first.get(1).value(), "a batch is seen whole");
                        Thread.yield();
                        assertEquals(first, snapshot.scan("data", null, null, ScanOrder.ASCENDING, 0), "a snapshot does not move");
                        assertArrayEquals(first.get(0).value(), snapshot.get("data", bytes("b")));
                    }
                    List<KeyValuePair> live = backend.scan("data", null, null, ScanOrder.DESCENDING, 0);
                    assertArrayEquals(live.get(0).value(), live.get(1).value(), "a live scan sees batches whole");
                    checks++;
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(written.get() > 0, "the writer made progress");
        }
    }

    /**
     * An open-ended delete-range races with a writer that keeps putting keys greater than every
     * stored one. Each delete batch also bumps a marker (the empty key). Batches apply in one
     * order, so a key seen in a snapshot before the marker moved must be gone once it has moved:
     * a surviving key would mean the range missed a key that was ordered before it.
     */
    @Test
    @Timeout(60)
    void openEndedDeleteRangeMissesNoKeyWrittenBeforeIt() throws Exception {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (long i = 1; !stop.get(); i++) {
                    backend.write(new WriteBatch().put("data", ByteBuffer.allocate(9).put((byte) 1).putLong(i).array(), new byte[0]),
                            Durability.NOT_SYNCED);
                }
            });
            Thread deleter = Thread.ofPlatform().start(() -> {
                for (long epoch = 1; !stop.get(); epoch++) {
                    backend.write(new WriteBatch().deleteRange("data", null, null)
                            .put("data", new byte[0], ByteBuffer.allocate(8).putLong(epoch).array()), Durability.NOT_SYNCED);
                }
            });
            try {
                long deadline = System.nanoTime() + 1_000_000_000L;
                ReadSnapshot before = backend.snapshot();
                while (System.nanoTime() < deadline && failures.isEmpty()) {
                    ReadSnapshot after = backend.snapshot();
                    byte[] markerBefore = before.get("data", new byte[0]);
                    byte[] markerAfter = after.get("data", new byte[0]);
                    if (markerBefore != null && markerAfter != null && !java.util.Arrays.equals(markerBefore, markerAfter)) {
                        for (KeyValuePair entry : before.scan("data", new byte[] {1}, null, ScanOrder.ASCENDING, 0)) {
                            assertNull(after.get("data", entry.key()),
                                    () -> "key " + Fixtures.hex(entry.key()) + " survived a later delete of everything");
                        }
                    }
                    before.close();
                    before = after;
                }
                before.close();
            } finally {
                stop.set(true);
                writer.join();
                deleter.join();
            }
        }
    }

    private static WriteBatch pair(long value) {
        byte[] encoded = ByteBuffer.allocate(8).putLong(value).array();
        return new WriteBatch().put("data", bytes("a"), encoded).put("data", bytes("b"), encoded);
    }

    @Test
    void closedSnapshotFailsWithClosedAndClosesTwiceHarmlessly() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            put(backend, "data", bytes("k"), bytes("v"));
            ReadSnapshot snapshot = backend.snapshot();
            snapshot.close();
            snapshot.close();
            assertClosed(() -> snapshot.get("data", bytes("k")));
            assertClosed(() -> snapshot.scan("data", null, null, ScanOrder.ASCENDING, 0));
            assertArrayEquals(bytes("v"), backend.get("data", bytes("k")), "the backend is unaffected");
        }
    }

    @Test
    void closingTheBackendClosesItsSnapshots() {
        Backend backend = open(temp.resolve("db"), "data");
        put(backend, "data", bytes("k"), bytes("v"));
        ReadSnapshot first = backend.snapshot();
        ReadSnapshot second = backend.snapshot();
        second.close();
        backend.close();
        assertClosed(() -> first.get("data", bytes("k")));
        assertClosed(() -> first.scan("data", null, null, ScanOrder.DESCENDING, 1));
        first.close();
        second.close();
    }

    /** Every method after close fails with CLOSED; none touches a freed native handle. */
    @Test
    void everyMethodAfterCloseFailsWithClosed() {
        Backend backend = open(temp.resolve("db"), "data");
        put(backend, "data", bytes("k"), bytes("v"));
        backend.close();
        backend.close();
        assertClosed(backend::directory);
        assertClosed(backend::keyspaces);
        assertClosed(() -> backend.get("data", bytes("k")));
        assertClosed(() -> backend.scan("data", null, null, ScanOrder.ASCENDING, 0));
        assertClosed(() -> backend.scan("data", bytes("a"), bytes("z"), ScanOrder.DESCENDING, 5, (k, v) -> true));
        assertClosed(() -> backend.write(new WriteBatch().put("data", bytes("k"), bytes("w")), Durability.SYNCED));
        assertClosed(() -> backend.write(new WriteBatch().deleteRange("data", null, null), Durability.NOT_SYNCED));
        assertClosed(() -> backend.write(new WriteBatch(), Durability.SYNCED));
        assertClosed(backend::snapshot);
        assertClosed(backend::flush);
        assertClosed(() -> backend.checkpoint(temp.resolve("copy")));
        assertClosed(backend::stats);
        assertClosed(backend::compact);
    }

    /**
     * Threads read, write and snapshot while another closes the backend: each call either works or
     * fails with CLOSED. A use-after-free would crash the JVM (and the test run with it).
     */
    @Test
    @Timeout(60)
    void closeRacingWithCallsNeverCrashes() throws Exception {
        for (int round = 0; round < 3; round++) {
            Backend backend = open(temp.resolve("db" + round), "data");
            for (int i = 0; i < 100; i++) {
                put(backend, "data", bytes("key-" + i), bytes("value-" + i));
            }
            ReadSnapshot shared = backend.snapshot();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(4);
            List<Thread> threads = new ArrayList<>();
            List<Consumer<Integer>> workloads = List.of(
                    i -> backend.get("data", bytes("key-" + (i % 100))),
                    i -> backend.scan("data", null, null, i % 2 == 0 ? ScanOrder.ASCENDING : ScanOrder.DESCENDING, 0),
                    i -> backend.write(new WriteBatch().put("data", bytes("key-" + (i % 100)), bytes("w" + i)), Durability.NOT_SYNCED),
                    i -> {
                        shared.scan("data", null, null, ScanOrder.ASCENDING, 10);
                        try (ReadSnapshot own = backend.snapshot()) {
                            own.get("data", bytes("key-1"));
                        }
                    });
            for (Consumer<Integer> workload : workloads) {
                threads.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    for (int i = 0; ; i++) {
                        try {
                            workload.accept(i);
                        } catch (StorageException e) {
                            if (e.reason() != Reason.CLOSED) {
                                unexpected.add(e);
                            }
                            return;
                        } catch (Throwable e) {
                            unexpected.add(e);
                            return;
                        }
                    }
                }));
            }
            started.await();
            Thread.sleep(20);
            backend.close();
            for (Thread thread : threads) {
                thread.join(10_000);
                assertTrue(!thread.isAlive(), "every worker saw CLOSED and stopped");
            }
            assertTrue(unexpected.isEmpty(), () -> "unexpected failures: " + unexpected);
            assertClosed(() -> shared.get("data", bytes("key-1")));
        }
    }

    @Test
    void closeFromInsideAScanIsRefusedInsteadOfDeadlocking() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            put(backend, "data", bytes("k"), bytes("v"));
            assertThrows(IllegalStateException.class, () -> backend.scan("data", null, null, ScanOrder.ASCENDING, 0, (k, v) -> {
                backend.close();
                return true;
            }));
            try (ReadSnapshot snapshot = backend.snapshot()) {
                assertThrows(IllegalStateException.class, () -> snapshot.scan("data", null, null, ScanOrder.ASCENDING, 0, (k, v) -> {
                    snapshot.close();
                    return true;
                }));
                assertArrayEquals(bytes("v"), snapshot.get("data", bytes("k")), "the snapshot is still open");
            }
            assertArrayEquals(bytes("v"), backend.get("data", bytes("k")), "the backend is still open");
        }
    }

    @Test
    void visitorMayReadAndWriteTheBackend() {
        try (Backend backend = open(temp.resolve("db"), "data", "copy")) {
            put(backend, "data", bytes("a"), bytes("1"));
            put(backend, "data", bytes("b"), bytes("2"));
            backend.scan("data", null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
                backend.write(new WriteBatch().put("copy", key, backend.get("data", key)), Durability.NOT_SYNCED);
                return true;
            });
            assertEquals(2, backend.scan("copy", null, null, ScanOrder.ASCENDING, 0).size());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (Backend backend = open(temp.resolve("db"), "data", "meta"); ReadSnapshot snapshot = backend.snapshot()) {
            for (var view : List.of(backend, snapshot)) {
                assertNpe("keyspace", () -> view.get(null, bytes("k")));
                assertNpe("key", () -> view.get("data", null));
                assertNpe("keyspace", () -> view.scan(null, null, null, ScanOrder.ASCENDING, 0));
                assertNpe("order", () -> view.scan("data", null, null, null, 0));
                assertNpe("visitor", () -> view.scan("data", null, null, ScanOrder.ASCENDING, 0, null));
                IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> view.get("nope", bytes("k")));
                assertTrue(unknown.getMessage().contains("'nope'") && unknown.getMessage().contains("[data, meta]"), unknown.getMessage());
                assertThrows(IllegalArgumentException.class, () -> view.scan("nope", null, null, ScanOrder.ASCENDING, 0));
                IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                        () -> view.scan("data", null, null, ScanOrder.ASCENDING, -1));
                assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
            }
            assertNpe("batch", () -> backend.write(null, Durability.SYNCED));
            assertNpe("durability", () -> backend.write(new WriteBatch(), null));
            assertNpe("target", () -> backend.checkpoint(null));
            assertNpe("config", () -> Fixtures.provider().open(null));
        }
    }

    private static void assertNpe(String argument, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(String.valueOf(e.getMessage()).contains(argument), "message names '" + argument + "': " + e.getMessage());
    }

    private static void assertClosed(Executable call) {
        StorageException e = assertThrows(StorageException.class, call);
        assertEquals(Reason.CLOSED, e.reason(), e.getMessage());
    }
}
