package io.cairn.storage.rocksdb;

import static io.cairn.storage.rocksdb.Fixtures.bytes;
import static io.cairn.storage.rocksdb.Fixtures.hex;
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
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads and writes: ordering, bounds, limits, batches, delete-ranges, keyspaces, reopen. */
class RocksDbReadWriteTest {

    @TempDir
    Path temp;

    @Test
    void serviceLoaderFindsTheProviderById() {
        StorageProvider provider = StorageProviders.byId("rocksdb");
        assertEquals(RocksDbStorageProvider.class, provider.getClass());
        assertEquals("io.cairn.storage.rocksdb", provider.getClass().getModule().getName());
        assertEquals("rocksdbjni", org.rocksdb.RocksDB.class.getModule().getName());
        assertTrue(provider.description().startsWith("RocksDB 11.8"), provider.description());
    }

    @Test
    void keysSortAsUnsignedBytesIncludingTheEmptyKeyAndFfKeys() {
        List<String> sorted = List.of("", "00", "0000", "01", "7f", "7fff", "80", "fe", "ff", "ff00", "ffff", "ffffff");
        List<String> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(7));
        try (Backend backend = open(temp.resolve("db"), "data")) {
            WriteBatch batch = new WriteBatch();
            for (String key : shuffled) {
                batch.put("data", hex(key), bytes("v" + key));
            }
            backend.write(batch, Durability.NOT_SYNCED);
            assertEquals(sorted, keys(backend.scan("data", null, null, ScanOrder.ASCENDING, 0)));
            List<String> reversed = new ArrayList<>(sorted);
            Collections.reverse(reversed);
            assertEquals(reversed, keys(backend.scan("data", null, null, ScanOrder.DESCENDING, 0)));
            assertArrayEquals(bytes("v"), backend.get("data", new byte[0]), "the empty key is a key");
            assertArrayEquals(bytes("vffffff"), backend.get("data", hex("ffffff")));
            assertNull(backend.get("data", hex("fffffe")));
        }
    }

    record Range(String start, String end, ScanOrder order, int limit, List<String> expected) {
        @Override
        public String toString() {
            return "[" + start + ", " + end + ") " + order + " limit " + limit;
        }
    }

    static Stream<Range> ranges() {
        var up = ScanOrder.ASCENDING;
        var down = ScanOrder.DESCENDING;
        return Stream.of(
                new Range(null, null, up, 0, List.of("", "00", "10", "20", "ff", "ffff")),
                new Range(null, null, down, 0, List.of("ffff", "ff", "20", "10", "00", "")),
                new Range("10", "ff", up, 0, List.of("10", "20")),
                new Range("10", "ff", down, 0, List.of("20", "10")),
                new Range("11", "ff01", down, 0, List.of("ff", "20")),
                new Range("", "10", up, 0, List.of("", "00")),
                new Range(null, "", up, 0, List.of()),
                new Range(null, "00", down, 0, List.of("")),
                new Range("ff", null, up, 0, List.of("ff", "ffff")),
                new Range("ff", null, down, 0, List.of("ffff", "ff")),
                new Range("ff00", null, down, 0, List.of("ffff")),
                new Range(null, null, up, 2, List.of("", "00")),
                new Range(null, null, down, 2, List.of("ffff", "ff")),
                new Range("00", "ffff", down, 3, List.of("ff", "20", "10")),
                new Range("20", "20", up, 0, List.of()),
                new Range("20", "10", down, 0, List.of()),
                new Range("21", "22", up, 0, List.of()));
    }

    @ParameterizedTest
    @MethodSource("ranges")
    void scansAreHalfOpenInBothDirectionsWithLimits(Range range) {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            WriteBatch batch = new WriteBatch();
            for (String key : List.of("", "00", "10", "20", "ff", "ffff")) {
                batch.put("data", hex(key), bytes(key));
            }
            backend.write(batch, Durability.SYNCED);
            List<KeyValuePair> entries = backend.scan("data", range.start() == null ? null : hex(range.start()),
                    range.end() == null ? null : hex(range.end()), range.order(), range.limit());
            assertEquals(range.expected(), keys(entries));
            for (KeyValuePair entry : entries) {
                assertEquals(hex(entry.key()), new String(entry.value(), java.nio.charset.StandardCharsets.UTF_8));
            }
            try (var snapshot = backend.snapshot()) {
                assertEquals(range.expected(), keys(snapshot.scan("data", range.start() == null ? null : hex(range.start()),
                        range.end() == null ? null : hex(range.end()), range.order(), range.limit())), "same through a snapshot");
            }
        }
    }

    /** Random ranges over keys crowded around 0x00, 0x7f/0x80 and 0xff, checked against a TreeMap. */
    @Test
    void scansAgreeWithASortedMapOracle() {
        Random random = new Random(42);
        byte[] alphabet = {0x00, 0x01, 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff};
        NavigableMap<byte[], byte[]> oracle = new TreeMap<>(Arrays::compareUnsigned);
        try (Backend backend = open(temp.resolve("db"), "data")) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 200; i++) {
                byte[] key = randomKey(random, alphabet);
                byte[] value = bytes("v" + i);
                oracle.put(key, value);
                batch.put("data", key, value);
            }
            backend.write(batch, Durability.NOT_SYNCED);
            for (int round = 0; round < 300; round++) {
                byte[] start = random.nextInt(5) == 0 ? null : randomKey(random, alphabet);
                byte[] end = random.nextInt(5) == 0 ? null : randomKey(random, alphabet);
                ScanOrder order = random.nextBoolean() ? ScanOrder.ASCENDING : ScanOrder.DESCENDING;
                int limit = random.nextInt(4);
                List<String> expected = expected(oracle, start, end, order, limit);
                List<String> actual = keys(backend.scan("data", start, end, order, limit));
                assertEquals(expected, actual, () -> "scan [" + (start == null ? "null" : hex(start)) + ", "
                        + (end == null ? "null" : hex(end)) + ") " + order + " limit " + limit);
            }
        }
    }

    private static byte[] randomKey(Random random, byte[] alphabet) {
        byte[] key = new byte[random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            key[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return key;
    }

    private static List<String> expected(NavigableMap<byte[], byte[]> oracle, byte[] start, byte[] end, ScanOrder order, int limit) {
        if (start != null && end != null && Arrays.compareUnsigned(start, end) >= 0) {
            return List.of();
        }
        NavigableMap<byte[], byte[]> range = oracle;
        if (start != null) {
            range = range.tailMap(start, true);
        }
        if (end != null) {
            range = range.headMap(end, false);
        }
        if (order == ScanOrder.DESCENDING) {
            range = range.descendingMap();
        }
        return range.keySet().stream().limit(limit == 0 ? Long.MAX_VALUE : limit).map(Fixtures::hex).toList();
    }

    @Test
    void visitorStopsTheScanAndTheCountIncludesTheLastVisit() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 10; i++) {
                batch.put("data", new byte[] {(byte) i}, new byte[0]);
            }
            backend.write(batch, Durability.SYNCED);
            List<String> seen = new ArrayList<>();
            int visited = backend.scan("data", null, null, ScanOrder.DESCENDING, 0, (key, value) -> {
                seen.add(hex(key));
                return seen.size() < 3;
            });
            assertEquals(3, visited);
            assertEquals(List.of("09", "08", "07"), seen);
            assertEquals(4, backend.scan("data", null, null, ScanOrder.ASCENDING, 4, (key, value) -> true));
        }
    }

    static Stream<Range> deleteRanges() {
        // Range.expected here: the keys that survive; limit is unused.
        return Stream.of(
                new Range(null, "20", null, 0, List.of("20", "ff", "ffff", "ffffff")),
                new Range("20", null, null, 0, List.of("", "00", "10")),
                new Range(null, null, null, 0, List.of()),
                new Range("ffff", null, null, 0, List.of("", "00", "10", "20", "ff")),
                new Range("ffffff", null, null, 0, List.of("", "00", "10", "20", "ff", "ffff")),
                new Range("ffffff00", null, null, 0, List.of("", "00", "10", "20", "ff", "ffff", "ffffff")),
                new Range("", "00", null, 0, List.of("00", "10", "20", "ff", "ffff", "ffffff")),
                new Range("20", "10", null, 0, List.of("", "00", "10", "20", "ff", "ffff", "ffffff")),
                new Range("10", "10", null, 0, List.of("", "00", "10", "20", "ff", "ffff", "ffffff")));
    }

    @ParameterizedTest
    @MethodSource("deleteRanges")
    void deleteRangeHonoursOpenBounds(Range range) {
        try (Backend backend = open(temp.resolve("db"), "data", "other")) {
            WriteBatch batch = new WriteBatch();
            for (String key : List.of("", "00", "10", "20", "ff", "ffff", "ffffff")) {
                batch.put("data", hex(key), bytes(key));
                batch.put("other", hex(key), bytes(key));
            }
            backend.write(batch, Durability.SYNCED);
            backend.write(new WriteBatch().deleteRange("data", range.start() == null ? null : hex(range.start()),
                    range.end() == null ? null : hex(range.end())), Durability.SYNCED);
            assertEquals(range.expected(), keys(backend.scan("data", null, null, ScanOrder.ASCENDING, 0)));
            assertEquals(7, backend.scan("other", null, null, ScanOrder.ASCENDING, 0).size(), "other keyspaces untouched");
        }
    }

    @Test
    void openEndedDeleteRangeAlsoRemovesGreaterKeysPutEarlierInTheSameBatch() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            put(backend, "data", hex("10"), bytes("stored"));
            backend.write(new WriteBatch()
                    .put("data", hex("ffffffff"), bytes("put before, greater than any stored key"))
                    .put("data", hex("05"), bytes("put before, below the range"))
                    .deleteRange("data", hex("08"), null)
                    .put("data", hex("ffffffffff"), bytes("put after: survives")), Durability.SYNCED);
            assertEquals(List.of("05", "ffffffffff"), keys(backend.scan("data", null, null, ScanOrder.ASCENDING, 0)));
        }
    }

    @Test
    void openEndedDeleteRangeOnAnEmptyKeyspaceIsHarmless() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            backend.write(new WriteBatch().deleteRange("data", null, null), Durability.NOT_SYNCED);
            assertEquals(List.of(), backend.scan("data", null, null, ScanOrder.ASCENDING, 0));
        }
    }

    @Test
    void batchSpansKeyspacesAndAppliesInOrder() {
        try (Backend backend = open(temp.resolve("db"), "log", "state")) {
            put(backend, "state", bytes("old"), bytes("1"));
            backend.write(new WriteBatch()
                    .put("log", bytes("entry-1"), bytes("a"))
                    .put("state", bytes("applied"), bytes("1"))
                    .delete("state", bytes("old"))
                    .put("state", bytes("applied"), bytes("2")), Durability.SYNCED);
            assertArrayEquals(bytes("a"), backend.get("log", bytes("entry-1")));
            assertArrayEquals(bytes("2"), backend.get("state", bytes("applied")), "later operations win");
            assertNull(backend.get("state", bytes("old")));
            assertNull(backend.get("log", bytes("applied")), "keyspaces are separate");
        }
    }

    @Test
    void batchNamingAnUnknownKeyspaceWritesNothing() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            WriteBatch batch = new WriteBatch().put("data", bytes("k"), bytes("v")).put("nope", bytes("k"), bytes("v"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.write(batch, Durability.SYNCED));
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("data"), e.getMessage());
            assertNull(backend.get("data", bytes("k")));
        }
    }

    @Test
    void emptyBatchIsAllowed() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            put(backend, "data", bytes("k"), bytes("v"));
            backend.write(new WriteBatch(), Durability.SYNCED);
            backend.write(new WriteBatch(), Durability.NOT_SYNCED);
            assertArrayEquals(bytes("v"), backend.get("data", bytes("k")));
        }
    }

    @Test
    void reopenKeepsSyncedAndUnsyncedWrites() {
        Path dir = temp.resolve("db");
        try (Backend backend = open(dir, "data")) {
            backend.write(new WriteBatch().put("data", bytes("synced"), bytes("1")), Durability.SYNCED);
            backend.write(new WriteBatch().put("data", bytes("unsynced"), bytes("2")), Durability.NOT_SYNCED);
            backend.write(new WriteBatch().put("data", hex("ff"), bytes("3")).delete("data", bytes("synced")), Durability.NOT_SYNCED);
            backend.flush();
        }
        try (Backend backend = open(dir, "data")) {
            assertNull(backend.get("data", bytes("synced")));
            assertArrayEquals(bytes("2"), backend.get("data", bytes("unsynced")));
            assertArrayEquals(bytes("3"), backend.get("data", hex("ff")));
        }
    }

    @Test
    void keyspaceNamedDefaultIsNotRocksDbsDefaultColumnFamily() {
        Path dir = temp.resolve("db");
        try (Backend backend = open(dir, "default", "data")) {
            put(backend, "default", bytes("k"), bytes("in default"));
            put(backend, "data", bytes("k"), bytes("in data"));
        }
        try (Backend backend = open(dir, "default", "data")) {
            assertArrayEquals(bytes("in default"), backend.get("default", bytes("k")));
            assertArrayEquals(bytes("in data"), backend.get("data", bytes("k")));
        }
    }

    @Test
    void keyspacesLeftOutOfTheConfigStayOnDiskButUnreachable() {
        Path dir = temp.resolve("db");
        try (Backend backend = open(dir, "kept", "hidden")) {
            put(backend, "hidden", bytes("k"), bytes("v"));
        }
        try (Backend backend = open(dir, "kept", "added")) {
            assertEquals(java.util.Set.of("kept", "added"), backend.keyspaces());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.get("hidden", bytes("k")));
            assertTrue(e.getMessage().contains("'hidden'") && e.getMessage().contains("kept"), e.getMessage());
            put(backend, "added", bytes("k"), bytes("new"));
        }
        try (Backend backend = open(dir, "hidden", "added")) {
            assertArrayEquals(bytes("v"), backend.get("hidden", bytes("k")));
            assertArrayEquals(bytes("new"), backend.get("added", bytes("k")));
        }
    }

    @Test
    void returnedArraysAreFreshAndArgumentsAreNotRetained() {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            byte[] key = bytes("k");
            byte[] value = bytes("v");
            WriteBatch batch = new WriteBatch().put("data", key, value);
            backend.write(batch, Durability.SYNCED);
            key[0] = 'x';
            value[0] = 'x';
            byte[] read = backend.get("data", bytes("k"));
            assertArrayEquals(bytes("v"), read);
            read[0] = 'y';
            assertArrayEquals(bytes("v"), backend.get("data", bytes("k")));
        }
    }

    @Test
    void tuningOptionsAreAcceptedAndOtherProvidersKeysIgnored() {
        Map<String, String> options = Map.of(
                "rocksdb.block-cache-size", String.valueOf(8 << 20),
                "rocksdb.write-buffer-size", String.valueOf(1 << 20),
                "rocksdb.total-write-buffer-size", String.valueOf(2 << 20),
                "rocksdb.bloom-bits-per-key", "0",
                "rocksdb.max-background-jobs", "1",
                "xodus.whatever", "ignored");
        try (Backend backend = open(temp.resolve("db"), options, "data")) {
            put(backend, "data", bytes("k"), bytes("v"));
            assertArrayEquals(bytes("v"), backend.get("data", bytes("k")));
        }
    }

    @Test
    void unknownOrBadTuningOptionsAreRejectedBeforeTouchingTheDirectory() {
        Path dir = temp.resolve("db");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> open(dir, Map.of("rocksdb.cache", "1"), "data"));
        assertTrue(unknown.getMessage().contains("rocksdb.cache") && unknown.getMessage().contains("rocksdb.block-cache-size")
                && unknown.getMessage().contains("rocksdb.write-buffer-size"), unknown.getMessage());
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class,
                () -> open(dir, Map.of("rocksdb.write-buffer-size", "64MB"), "data"));
        assertTrue(notNumber.getMessage().contains("rocksdb.write-buffer-size") && notNumber.getMessage().contains("64MB"),
                notNumber.getMessage());
        assertThrows(IllegalArgumentException.class, () -> open(dir, Map.of("rocksdb.block-cache-size", "-1"), "data"));
        assertTrue(java.nio.file.Files.notExists(dir), "nothing was created for a rejected config");
    }
}
