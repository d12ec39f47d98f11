package io.cairn.storage.rocksdb;

import static io.cairn.storage.rocksdb.Fixtures.bytes;
import static io.cairn.storage.rocksdb.Fixtures.open;
import static io.cairn.storage.rocksdb.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageException.Reason;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints, statistics and compaction. */
class RocksDbMaintenanceTest {

    @TempDir
    Path temp;

    @Test
    void checkpointOpensAsAnIndependentCopy() throws IOException {
        Path copy = temp.resolve("copy");
        try (Backend original = open(temp.resolve("db"), "data", "meta")) {
            put(original, "data", bytes("before"), bytes("1"));
            original.write(new WriteBatch().put("meta", bytes("unsynced"), bytes("2")), Durability.NOT_SYNCED);
            try (ReadSnapshot snapshot = original.snapshot()) {
                original.checkpoint(copy);
                put(original, "data", bytes("after"), bytes("3"));
                assertArrayEquals(bytes("1"), snapshot.get("data", bytes("before")), "a snapshot survives a checkpoint");
            }
            assertTrue(Files.readString(copy.resolve(BackendDirectory.MARKER_FILE)).contains("provider=rocksdb"));
            try (Backend checkpoint = Fixtures.provider().open(BackendConfig.of(original.directory(), "data", "meta").withDirectory(copy))) {
                assertArrayEquals(bytes("1"), checkpoint.get("data", bytes("before")));
                assertArrayEquals(bytes("2"), checkpoint.get("meta", bytes("unsynced")), "unsynced writes are in the copy");
                assertNull(checkpoint.get("data", bytes("after")), "later writes to the original are not");
                put(checkpoint, "data", bytes("only-in-copy"), bytes("4"));
                assertNull(original.get("data", bytes("only-in-copy")), "writes to the copy do not reach the original");
            }
            assertArrayEquals(bytes("3"), original.get("data", bytes("after")));
        }
        try (Backend reopened = open(copy, "data", "meta")) {
            assertArrayEquals(bytes("4"), reopened.get("data", bytes("only-in-copy")));
        }
    }

    @Test
    void checkpointKeepsKeyspacesTheBackendCannotReach() {
        Path dir = temp.resolve("db");
        try (Backend backend = open(dir, "data", "hidden")) {
            put(backend, "hidden", bytes("k"), bytes("v"));
        }
        Path copy = temp.resolve("copy");
        try (Backend backend = open(dir, "data")) {
            backend.checkpoint(copy);
        }
        try (Backend checkpoint = open(copy, "hidden")) {
            assertArrayEquals(bytes("v"), checkpoint.get("hidden", bytes("k")));
        }
    }

    @Test
    void checkpointRefusesAnExistingTargetItsStagingNameOrAMissingParent() throws IOException {
        try (Backend backend = open(temp.resolve("db"), "data")) {
            Path existing = Files.createDirectories(temp.resolve("existing"));
            Files.writeString(existing.resolve("keep.txt"), "mine");
            StorageException exists = assertThrows(StorageException.class, () -> backend.checkpoint(existing));
            assertEquals(Reason.IO, exists.reason(), exists.getMessage());
            assertTrue(exists.getMessage().contains("exists"), exists.getMessage());
            assertEquals("mine", Files.readString(existing.resolve("keep.txt")), "the existing target is untouched");

            Path staging = Files.createDirectories(temp.resolve("copy.tmp"));
            Files.writeString(staging.resolve("keep.txt"), "also mine");
            StorageException stagingExists = assertThrows(StorageException.class, () -> backend.checkpoint(temp.resolve("copy")));
            assertEquals(Reason.IO, stagingExists.reason(), stagingExists.getMessage());
            assertEquals("also mine", Files.readString(staging.resolve("keep.txt")), "RocksDB's staging name is not emptied");
            assertTrue(Files.notExists(temp.resolve("copy")));

            Path orphan = temp.resolve("no-such-parent").resolve("copy");
            StorageException noParent = assertThrows(StorageException.class, () -> backend.checkpoint(orphan));
            assertEquals(Reason.IO, noParent.reason(), noParent.getMessage());
            assertTrue(Files.notExists(orphan.getParent()));
        }
    }

    @Test
    void statsReportDiskSizeAndKeyEstimatesPerKeyspace() {
        try (Backend backend = open(temp.resolve("db"), "data", "empty")) {
            long before = backend.stats().sizeOnDiskBytes();
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 1000; i++) {
                batch.put("data", bytes("key-%05d".formatted(i)), new byte[100]);
            }
            backend.write(batch, Durability.SYNCED);
            BackendStats stats = backend.stats();
            assertEquals(Set.of("data", "empty"), stats.estimatedKeys().keySet());
            assertEquals(1000L, stats.estimatedKeys().get("data"));
            assertEquals(0L, stats.estimatedKeys().get("empty"));
            assertTrue(stats.sizeOnDiskBytes() >= before + 100_000, "the write-ahead log grew: " + before + " -> " + stats.sizeOnDiskBytes());
        }
    }

    @Test
    void compactionDropsDeletedDataAndKeepsLiveData() {
        try (Backend backend = open(temp.resolve("db"), "data", "kept")) {
            Random random = new Random(1);
            for (int round = 0; round < 4; round++) {
                WriteBatch batch = new WriteBatch();
                for (int i = 0; i < 500; i++) {
                    byte[] value = new byte[1000]; // random, so that compression cannot hide it
                    random.nextBytes(value);
                    batch.put("data", bytes("key-%05d".formatted(i)), value);
                }
                backend.write(batch, Durability.NOT_SYNCED);
            }
            put(backend, "kept", bytes("k"), bytes("v"));
            backend.compact();
            long full = tableBytes(backend);
            assertTrue(full > 400_000, "the live data is in tables: " + full);
            backend.write(new WriteBatch().deleteRange("data", null, null), Durability.SYNCED);
            backend.compact();
            long emptied = tableBytes(backend);
            assertTrue(emptied < full / 10, "compaction reclaimed the deleted data: " + full + " -> " + emptied + " bytes of tables");
            assertEquals(0, backend.scan("data", null, null, ScanOrder.ASCENDING, 0).size());
            assertArrayEquals(bytes("v"), backend.get("kept", bytes("k")));
        }
    }

    /** Bytes of SST files in the directory (the write-ahead log is not reclaimed by compaction). */
    private static long tableBytes(Backend backend) {
        try (var files = Files.list(backend.directory())) {
            return files.filter(f -> f.toString().endsWith(".sst")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Close cancels a compaction in progress instead of waiting; the compaction ends or fails with CLOSED. */
    @Test
    @Timeout(60)
    void closeDuringCompactionStopsItCleanly() throws Exception {
        Backend backend = open(temp.resolve("db"), Map.of("rocksdb.write-buffer-size", String.valueOf(256 << 10)), "data");
        Random random = new Random(3);
        for (int round = 0; round < 20; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 200; i++) {
                byte[] value = new byte[1000];
                random.nextBytes(value);
                batch.put("data", bytes("key-%03d-%05d".formatted(i, round)), value);
            }
            backend.write(batch, Durability.NOT_SYNCED);
        }
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread compactor = Thread.ofPlatform().start(() -> {
            started.countDown();
            try {
                backend.compact();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        started.await();
        Thread.sleep(5);
        backend.close();
        compactor.join();
        Throwable failure = outcome.get();
        if (failure != null) {
            assertTrue(failure instanceof StorageException e && e.reason() == Reason.CLOSED, "compaction failed with " + failure);
        }
        try (Backend reopened = open(temp.resolve("db"), "data")) {
            assertEquals(4000, reopened.scan("data", null, null, ScanOrder.ASCENDING, 0).size(), "no data was lost");
        }
    }
}
