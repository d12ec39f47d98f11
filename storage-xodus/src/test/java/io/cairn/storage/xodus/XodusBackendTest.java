package io.cairn.storage.xodus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.KeyValuePair;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads, writes, snapshots and reopening of the Xodus backend, each checked against the SPI's contract. */
class XodusBackendTest {

    @TempDir
    Path temp;

    private final List<Backend> opened = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        opened.forEach(Backend::close);
    }

    private Backend open(Path directory, String... keyspaces) {
        Backend backend = new XodusStorageProvider().open(BackendConfig.of(directory, keyspaces));
        opened.add(backend);
        return backend;
    }

    static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> hex(List<KeyValuePair> entries) {
        return entries.stream().map(e -> java.util.HexFormat.of().formatHex(e.key())).toList();
    }

    @Test
    void serviceLoaderFindsTheProviderById() {
        StorageProvider provider = StorageProviders.byId("xodus");
        assertInstanceOf(XodusStorageProvider.class, provider);
        assertEquals("xodus", provider.id());
        assertTrue(provider.description().contains("Xodus"), provider.description());
        assertEquals("io.cairn.storage.xodus", provider.getClass().getModule().getName());
    }

    @Test
    void keysSortAsUnsignedBytesIncludingTheEmptyKeyAndPrefixes() {
        Backend backend = open(temp.resolve("db"), "kv");
        List<byte[]> keys = List.of(bytes(), bytes(0), bytes(0, 0), bytes(1), bytes(0x7F), bytes(0x7F, 0xFF), bytes(0x80),
                bytes(0x80, 0), bytes(0xFF), bytes(0xFF, 0), bytes(0xFF, 0xFF), bytes(0xFF, 0xFF, 0xFF));
        WriteBatch batch = new WriteBatch();
        List<byte[]> shuffled = new ArrayList<>(keys);
        java.util.Collections.shuffle(shuffled, new Random(7));
        for (byte[] key : shuffled) {
            batch.put("kv", key, bytes(key.length));
        }
        backend.write(batch, Durability.SYNCED);

        List<byte[]> expected = new ArrayList<>(keys);
        expected.sort(Arrays::compareUnsigned);
        List<KeyValuePair> ascending = backend.scan("kv", null, null, ScanOrder.ASCENDING, 0);
        assertEquals(expected.size(), ascending.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), ascending.get(i).key(), "ascending position " + i);
            assertArrayEquals(bytes(expected.get(i).length), ascending.get(i).value());
        }
        List<KeyValuePair> descending = backend.scan("kv", null, null, ScanOrder.DESCENDING, 0);
        List<byte[]> reversed = new ArrayList<>(expected);
        java.util.Collections.reverse(reversed);
        for (int i = 0; i < reversed.size(); i++) {
            assertArrayEquals(reversed.get(i), descending.get(i).key(), "descending position " + i);
        }
        assertArrayEquals(bytes(0), backend.get("kv", bytes()), "the empty key is a key like any other");
        assertEquals(1, backend.scan("kv", bytes(), bytes(0), ScanOrder.ASCENDING, 0).size(), "[empty, 00) holds the empty key only");
        assertEquals(List.of("ff", "ff00", "ffff", "ffffff"), hex(backend.scan("kv", bytes(0xFF), null, ScanOrder.ASCENDING, 0)));
        assertEquals(List.of("7fff", "7f"), hex(backend.scan("kv", bytes(0x7F), bytes(0x80), ScanOrder.DESCENDING, 0)));
    }

    @Test
    void boundedScansInBothDirectionsMatchASortedModel() {
        Backend backend = open(temp.resolve("db"), "kv");
        Random random = new Random(42);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 300; i++) {
            byte[] key = randomKey(random);
            byte[] value = utf8("v" + i);
            model.put(key, value);
            batch.put("kv", key, value);
        }
        backend.write(batch, Durability.NOT_SYNCED);

        for (int round = 0; round < 400; round++) {
            byte[] start = random.nextInt(5) == 0 ? null : randomKey(random);
            byte[] end = random.nextInt(5) == 0 ? null : randomKey(random);
            int limit = random.nextInt(4) == 0 ? 0 : random.nextInt(20);
            for (ScanOrder order : ScanOrder.values()) {
                List<KeyValuePair> expected = modelScan(model, start, end, order, limit);
                List<KeyValuePair> actual = backend.scan("kv", start, end, order, limit);
                assertEquals(expected, actual, () -> "scan " + order + " [" + describe(start) + ", " + describe(end) + ") limit " + limit);
            }
        }
    }

    @Test
    void scanStopsWhenTheVisitorDeclinesAndCountsWhatItVisited() {
        Backend backend = open(temp.resolve("db"), "kv");
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 10; i++) {
            batch.put("kv", bytes(i), bytes(i));
        }
        backend.write(batch, Durability.NOT_SYNCED);
        List<Integer> seen = new ArrayList<>();
        int visited = backend.scan("kv", null, null, ScanOrder.DESCENDING, 0, (key, value) -> {
            seen.add((int) key[0]);
            return seen.size() < 3;
        });
        assertEquals(3, visited);
        assertEquals(List.of(9, 8, 7), seen);
        assertEquals(4, backend.scan("kv", bytes(2), bytes(8), ScanOrder.ASCENDING, 4, (key, value) -> true));
        assertEquals(0, backend.scan("kv", bytes(5), bytes(5), ScanOrder.ASCENDING, 0).size(), "start == end is empty");
        assertEquals(0, backend.scan("kv", bytes(6), bytes(5), ScanOrder.DESCENDING, 0).size(), "start > end is empty");
        assertEquals(0, backend.scan("kv", null, bytes(), ScanOrder.DESCENDING, 0).size(), "nothing is below the empty key");
        assertEquals(List.of("09"), hex(backend.scan("kv", null, null, ScanOrder.DESCENDING, 1)));
        assertEquals(List.of("04", "03"), hex(backend.scan("kv", null, bytes(5), ScanOrder.DESCENDING, 2)));
        assertEquals(List.of("04", "03"), hex(backend.scan("kv", null, bytes(4, 0), ScanOrder.DESCENDING, 2)),
                "descending starts at the greatest key below an absent end");
    }

    @Test
    void deleteRangeWithOpenAndClosedBoundsMatchesAModel() {
        Backend backend = open(temp.resolve("db"), "kv");
        Random random = new Random(3);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        for (int round = 0; round < 60; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 20; i++) {
                byte[] key = randomKey(random);
                batch.put("kv", key, key);
                model.put(key, key);
            }
            byte[] start = random.nextInt(4) == 0 ? null : randomKey(random);
            byte[] end = random.nextInt(4) == 0 ? null : randomKey(random);
            if (round % 10 == 9) {
                start = null;
                end = null;
            }
            batch.deleteRange("kv", start, end);
            modelScan(model, start, end, ScanOrder.ASCENDING, 0).forEach(entry -> model.remove(entry.key()));
            backend.write(batch, Durability.NOT_SYNCED);
            assertEquals(modelScan(model, null, null, ScanOrder.ASCENDING, 0), backend.scan("kv", null, null, ScanOrder.ASCENDING, 0),
                    "after deleteRange [" + describe(start) + ", " + describe(end) + ")");
        }
        WriteBatch all = new WriteBatch().put("kv", bytes(), bytes(1)).put("kv", bytes(0xFF, 0xFF), bytes(2)).deleteRange("kv", null, null);
        backend.write(all, Durability.SYNCED);
        assertTrue(backend.scan("kv", null, null, ScanOrder.ASCENDING, 0).isEmpty(), "null bounds delete everything, empty and 0xFF keys too");
    }

    @Test
    void aBatchAppliesAcrossKeyspacesInOrder() {
        Backend backend = open(temp.resolve("db"), "log", "state");
        backend.write(new WriteBatch().put("log", utf8("a"), utf8("1")).put("state", utf8("a"), utf8("x")), Durability.SYNCED);
        WriteBatch batch = new WriteBatch()
                .put("log", utf8("b"), utf8("2"))
                .delete("state", utf8("a"))
                .put("state", utf8("a"), utf8("y")) // later operations win
                .put("state", utf8("c"), utf8("z"))
                .delete("state", utf8("c"))
                .deleteRange("log", utf8("a"), utf8("b"))
                .put("log", utf8("a0"), utf8("3")); // after the range delete, so it stays
        backend.write(batch, Durability.NOT_SYNCED);
        assertNull(backend.get("log", utf8("a")));
        assertArrayEquals(utf8("3"), backend.get("log", utf8("a0")));
        assertArrayEquals(utf8("2"), backend.get("log", utf8("b")));
        assertArrayEquals(utf8("y"), backend.get("state", utf8("a")));
        assertNull(backend.get("state", utf8("c")));
        assertEquals(Map.of("log", 2L, "state", 1L), backend.stats().estimatedKeys());
    }

    @Test
    void aBatchNamingAnUnknownKeyspaceWritesNothing() {
        Backend backend = open(temp.resolve("db"), "kv", "other");
        WriteBatch batch = new WriteBatch().put("kv", utf8("k"), utf8("v")).put("missing", utf8("k"), utf8("v"));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> backend.write(batch, Durability.SYNCED));
        assertTrue(failure.getMessage().contains("'missing'") && failure.getMessage().contains("[kv, other]"), failure.getMessage());
        assertNull(backend.get("kv", utf8("k")));
    }

    @Test
    void writeDoesNotKeepTheCallersArrays() {
        Backend backend = open(temp.resolve("db"), "kv");
        byte[] key = utf8("key");
        byte[] value = utf8("value");
        backend.write(new WriteBatch().put("kv", key, value), Durability.NOT_SYNCED);
        key[0] = 'X';
        value[0] = 'X';
        assertArrayEquals(utf8("value"), backend.get("kv", utf8("key")));
        byte[] read = backend.get("kv", utf8("key"));
        read[0] = 'Y';
        assertArrayEquals(utf8("value"), backend.get("kv", utf8("key")), "returned arrays are fresh");
    }

    @Test
    void aSnapshotKeepsItsStateWhileWritersGoOn() throws Exception {
        Backend backend = open(temp.resolve("db"), "a", "b");
        backend.write(new WriteBatch().put("a", utf8("n"), bytes(0)).put("b", utf8("n"), bytes(0)), Durability.NOT_SYNCED);
        try (ReadSnapshot snapshot = backend.snapshot()) {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                CountDownLatch started = new CountDownLatch(1);
                Future<?> writer = pool.submit(() -> {
                    started.countDown();
                    for (int i = 1; i <= 200; i++) {
                        backend.write(new WriteBatch().put("a", utf8("n"), bytes(i)).put("b", utf8("n"), bytes(i))
                                .put("a", utf8("k" + i), bytes(i)), i % 50 == 0 ? Durability.SYNCED : Durability.NOT_SYNCED);
                    }
                });
                AtomicBoolean torn = new AtomicBoolean();
                Future<?> latestReader = pool.submit(() -> {
                    started.await();
                    while (!writer.isDone()) {
                        try (ReadSnapshot current = backend.snapshot()) {
                            // a batch is visible whole or not at all
                            if (!Arrays.equals(current.get("a", utf8("n")), current.get("b", utf8("n")))) {
                                torn.set(true);
                            }
                        }
                    }
                    return null;
                });
                started.await();
                for (int i = 0; i < 200; i++) {
                    assertArrayEquals(bytes(0), snapshot.get("a", utf8("n")));
                    assertEquals(1, snapshot.scan("a", null, null, ScanOrder.ASCENDING, 0).size());
                }
                writer.get(30, TimeUnit.SECONDS);
                latestReader.get(30, TimeUnit.SECONDS);
                assertFalse(torn.get(), "a snapshot saw half a batch");
            } finally {
                pool.shutdownNow();
            }
            assertArrayEquals(bytes(0), snapshot.get("b", utf8("n")), "the snapshot still holds its state after the writes");
            assertArrayEquals(bytes(200), backend.get("b", utf8("n")));
            assertEquals(201, backend.scan("a", null, null, ScanOrder.ASCENDING, 0).size());
        }
    }

    @Test
    void manyThreadsReadOneSnapshotWhileAWriterRuns() throws Exception {
        Backend backend = open(temp.resolve("db"), "a", "b", "c");
        WriteBatch initial = new WriteBatch();
        for (int i = 0; i < 100; i++) {
            initial.put("a", utf8("k" + i), bytes(i)).put("b", utf8("k" + i), bytes(i)).put("c", utf8("k" + i), bytes(i));
        }
        backend.write(initial, Durability.NOT_SYNCED);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try (ReadSnapshot snapshot = backend.snapshot()) {
            AtomicBoolean stop = new AtomicBoolean();
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    backend.write(new WriteBatch().deleteRange("a", null, null).put("b", utf8("x" + i), bytes(1)), Durability.NOT_SYNCED);
                }
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        for (String keyspace : List.of("a", "b", "c")) {
                            assertEquals(100, snapshot.scan(keyspace, null, null, ScanOrder.DESCENDING, 0).size());
                            assertArrayEquals(bytes(i), snapshot.get(keyspace, utf8("k" + i)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, backend.scan("a", null, null, ScanOrder.ASCENDING, 0).size());
    }

    @Test
    void concurrentWritersAreAllApplied() throws Exception {
        Backend backend = open(temp.resolve("db"), "kv");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writerId = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        backend.write(new WriteBatch().put("kv", utf8(writerId + "/" + i), bytes(i)),
                                i % 25 == 0 ? Durability.SYNCED : Durability.NOT_SYNCED);
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(400L, backend.stats().estimatedKeys().get("kv"));
    }

    @Test
    void reopeningKeepsSyncedAndUnsyncedWritesAndLeavesUnlistedKeyspacesAlone() {
        Path directory = temp.resolve("db");
        Backend first = new XodusStorageProvider().open(BackendConfig.of(directory, "kv", "extra"));
        first.write(new WriteBatch().put("kv", utf8("synced"), utf8("1")).put("extra", utf8("x"), utf8("y")), Durability.SYNCED);
        first.write(new WriteBatch().put("kv", utf8("unsynced"), utf8("2")), Durability.NOT_SYNCED);
        first.close();

        Backend second = open(directory, "kv", "fresh");
        assertEquals(java.util.Set.of("kv", "fresh"), second.keyspaces());
        assertEquals(directory, second.directory());
        assertArrayEquals(utf8("1"), second.get("kv", utf8("synced")));
        assertArrayEquals(utf8("2"), second.get("kv", utf8("unsynced")));
        assertThrows(IllegalArgumentException.class, () -> second.get("extra", utf8("x")));
        second.close();

        Backend third = open(directory, "extra");
        assertArrayEquals(utf8("y"), third.get("extra", utf8("x")), "a keyspace not listed on the last open is untouched");
    }

    @Test
    void notSyncedWritesAreInTheFilesWhenWriteReturns() throws Exception {
        // what a process crash leaves behind: the files as they are, without close()
        Path directory = temp.resolve("db");
        Backend backend = open(directory, "kv");
        for (int i = 0; i < 50; i++) {
            backend.write(new WriteBatch().put("kv", utf8("k" + i), bytes(i)), Durability.NOT_SYNCED);
        }
        Path crashImage = temp.resolve("crash-image");
        java.nio.file.Files.createDirectory(crashImage);
        for (Path file : XodusBackend.logFiles(directory)) {
            java.nio.file.Files.copy(file, crashImage.resolve(file.getFileName()));
        }
        java.nio.file.Files.copy(directory.resolve(io.cairn.spi.storage.BackendDirectory.MARKER_FILE),
                crashImage.resolve(io.cairn.spi.storage.BackendDirectory.MARKER_FILE));
        Backend recovered = open(crashImage, "kv");
        assertEquals(50L, recovered.stats().estimatedKeys().get("kv"));
        assertArrayEquals(bytes(49), recovered.get("kv", utf8("k49")));
    }

    static byte[] randomKey(Random random) {
        byte[] key = new byte[random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            int pick = random.nextInt(6);
            key[i] = (byte) switch (pick) {
                case 0 -> 0x00;
                case 1 -> 0xFF;
                case 2 -> 0x7F;
                case 3 -> 0x80;
                default -> random.nextInt(256);
            };
        }
        return key;
    }

    static List<KeyValuePair> modelScan(TreeMap<byte[], byte[]> model, byte[] start, byte[] end, ScanOrder order, int limit) {
        List<KeyValuePair> result = new ArrayList<>();
        var entries = order == ScanOrder.ASCENDING ? model.entrySet() : model.descendingMap().entrySet();
        for (var entry : entries) {
            byte[] key = entry.getKey();
            boolean inRange = (start == null || Arrays.compareUnsigned(key, start) >= 0) && (end == null || Arrays.compareUnsigned(key, end) < 0);
            if (inRange) {
                result.add(new KeyValuePair(key, entry.getValue()));
                if (result.size() == limit) {
                    break;
                }
            }
        }
        return result;
    }

    static String describe(byte[] key) {
        return key == null ? "null" : java.util.HexFormat.of().formatHex(key);
    }
}
