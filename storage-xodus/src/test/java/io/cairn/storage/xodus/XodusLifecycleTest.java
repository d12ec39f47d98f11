package io.cairn.storage.xodus;

import static io.cairn.storage.xodus.XodusBackendTest.bytes;
import static io.cairn.storage.xodus.XodusBackendTest.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Opening, closing, bad input, checkpoints, statistics and compaction of the Xodus backend. */
class XodusLifecycleTest {

    @TempDir
    Path temp;

    private final XodusStorageProvider provider = new XodusStorageProvider();
    private final List<Backend> opened = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        opened.forEach(Backend::close);
    }

    private Backend open(BackendConfig config) {
        Backend backend = provider.open(config);
        opened.add(backend);
        return backend;
    }

    private Backend open(Path directory, String... keyspaces) {
        return open(BackendConfig.of(directory, keyspaces));
    }

    private static StorageException assertStorageFailure(StorageException.Reason reason, Executable call) {
        StorageException failure = assertThrows(StorageException.class, call);
        assertEquals(reason, failure.reason(), failure::getMessage);
        return failure;
    }

    @Test
    void nullArgumentsAreRejectedByName() {
        Backend backend = open(temp.resolve("db"), "kv");
        assertNpe("keyspace", () -> backend.get(null, bytes(1)));
        assertNpe("key", () -> backend.get("kv", null));
        assertNpe("keyspace", () -> backend.scan(null, null, null, ScanOrder.ASCENDING, 0, (k, v) -> true));
        assertNpe("visitor", () -> backend.scan("kv", null, null, ScanOrder.ASCENDING, 0, null));
        assertNpe("order", () -> backend.scan("kv", null, null, null, 0, (k, v) -> true));
        assertNpe("batch", () -> backend.write(null, Durability.SYNCED));
        assertNpe("durability", () -> backend.write(new WriteBatch(), null));
        assertNpe("target", () -> backend.checkpoint(null));
        assertNpe("config", () -> provider.open(null));
        try (ReadSnapshot snapshot = backend.snapshot()) {
            assertNpe("keyspace", () -> snapshot.get(null, bytes(1)));
            assertNpe("key", () -> snapshot.get("kv", null));
            assertNpe("visitor", () -> snapshot.scan("kv", null, null, ScanOrder.DESCENDING, 0, null));
        }
    }

    private static void assertNpe(String argument, Executable call) {
        NullPointerException failure = assertThrows(NullPointerException.class, call);
        assertTrue(failure.getMessage() != null && failure.getMessage().contains(argument),
                "expected the message to name '" + argument + "': " + failure.getMessage());
    }

    @Test
    void unknownKeyspacesAndNegativeLimitsAreRejected() {
        Backend backend = open(temp.resolve("db"), "alpha", "beta");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> backend.get("gamma", bytes(1)));
        assertTrue(unknown.getMessage().contains("'gamma'") && unknown.getMessage().contains("[alpha, beta]"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.scan("gamma", null, null, ScanOrder.ASCENDING, 0));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> backend.scan("alpha", null, null, ScanOrder.ASCENDING, -1));
        assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
        try (ReadSnapshot snapshot = backend.snapshot()) {
            assertThrows(IllegalArgumentException.class, () -> snapshot.get("gamma", bytes(1)));
            assertThrows(IllegalArgumentException.class, () -> snapshot.scan("alpha", null, null, ScanOrder.DESCENDING, -5));
        }
    }

    @Test
    void everyCallAfterCloseFailsWithClosedAndCloseIsIdempotent() {
        Backend backend = provider.open(BackendConfig.of(temp.resolve("db"), "kv"));
        backend.write(new WriteBatch().put("kv", bytes(1), bytes(1)), Durability.NOT_SYNCED);
        ReadSnapshot snapshot = backend.snapshot();
        backend.close();
        backend.close();
        List<Executable> calls = List.of(
                () -> backend.get("kv", bytes(1)),
                () -> backend.scan("kv", null, null, ScanOrder.ASCENDING, 0),
                () -> backend.write(new WriteBatch(), Durability.SYNCED),
                () -> backend.write(new WriteBatch().put("kv", bytes(2), bytes(2)), Durability.NOT_SYNCED),
                backend::snapshot,
                backend::flush,
                () -> backend.checkpoint(temp.resolve("checkpoint")),
                backend::stats,
                backend::compact,
                backend::keyspaces,
                backend::directory,
                () -> snapshot.get("kv", bytes(1)),
                () -> snapshot.scan("kv", null, null, ScanOrder.ASCENDING, 0));
        for (Executable call : calls) {
            assertStorageFailure(StorageException.Reason.CLOSED, call);
        }
        snapshot.close(); // harmless after the backend closed it
        assertFalse(Files.exists(temp.resolve("checkpoint")));
        // the directory lock is released: it opens again
        Backend again = open(temp.resolve("db"), "kv");
        assertArrayEquals(bytes(1), again.get("kv", bytes(1)));
    }

    @Test
    void aClosedSnapshotRefusesReadsAndClosesTwice() {
        Backend backend = open(temp.resolve("db"), "kv");
        ReadSnapshot snapshot = backend.snapshot();
        snapshot.close();
        snapshot.close();
        assertStorageFailure(StorageException.Reason.CLOSED, () -> snapshot.get("kv", bytes(1)));
        assertStorageFailure(StorageException.Reason.CLOSED, () -> snapshot.scan("kv", null, null, ScanOrder.ASCENDING, 0));
        backend.write(new WriteBatch().put("kv", bytes(1), bytes(1)), Durability.SYNCED);
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsLocked() {
        Path directory = temp.resolve("db");
        Backend first = open(directory, "kv");
        long started = System.nanoTime();
        StorageException failure = assertStorageFailure(StorageException.Reason.LOCKED, () -> provider.open(BackendConfig.of(directory, "kv")));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5_000, "Xodus must not retry the lock for long");
        assertTrue(failure.getMessage().contains(directory.toString()), failure.getMessage());
        first.write(new WriteBatch().put("kv", bytes(1), bytes(2)), Durability.SYNCED); // the first one is unharmed
        assertArrayEquals(bytes(2), first.get("kv", bytes(1)));
    }

    @Test
    void aDirectoryLockedByAnotherProcessIsLocked() throws Exception {
        Path directory = temp.resolve("db");
        open(directory, "kv").close();
        // the other process takes the OS lock on xd.lck the way Xodus's LockingManager does (FileChannel.tryLock)
        Path holder = temp.resolve("HoldLock.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class HoldLock {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                                var lock = channel.tryLock()) {
                            System.out.println(lock == null ? "busy" : "locked");
                            System.out.flush();
                            System.in.read(); // hold until the parent closes our stdin
                        }
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process other = new ProcessBuilder(java, holder.toString(), directory.resolve("xd.lck").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var output = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream()))) {
            assertEquals("locked", output.readLine());
            StorageException failure = assertStorageFailure(StorageException.Reason.LOCKED, () -> provider.open(BackendConfig.of(directory, "kv")));
            assertTrue(failure.getMessage().contains("another one"), failure.getMessage());
        } finally {
            other.getOutputStream().close();
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        }
        open(directory, "kv"); // free again once the other process let go
    }

    @Test
    void foreignDirectoriesAreRefusedUntouched() throws IOException {
        Path rocks = temp.resolve("rocks");
        Files.createDirectory(rocks);
        BackendDirectory.writeMarker(rocks, "rocksdb", 1);
        Files.writeString(rocks.resolve("CURRENT"), "MANIFEST-000001\n");
        Map<String, String> before = fingerprint(rocks);
        StorageException failure = assertStorageFailure(StorageException.Reason.FOREIGN, () -> provider.open(BackendConfig.of(rocks, "kv")));
        assertTrue(failure.getMessage().contains("rocksdb"), failure.getMessage());
        assertEquals(before, fingerprint(rocks));

        Path unrelated = temp.resolve("photos");
        Files.createDirectory(unrelated);
        Files.writeString(unrelated.resolve("cat.jpg"), "meow");
        assertStorageFailure(StorageException.Reason.FOREIGN, () -> provider.open(BackendConfig.of(unrelated, "kv")));
        assertEquals(List.of("cat.jpg"), fingerprint(unrelated).keySet().stream().toList());
    }

    @Test
    void aDamagedLogIsReportedCorruptedAndLeftAsItWas() throws IOException {
        Path directory = temp.resolve("db");
        Backend backend = provider.open(BackendConfig.of(directory, "kv"));
        for (int i = 0; i < 20; i++) {
            backend.write(new WriteBatch().put("kv", utf8("key" + i), new byte[1000]), Durability.SYNCED);
        }
        backend.close();
        List<Path> logFiles = XodusBackend.logFiles(directory);
        assertEquals(1, logFiles.size());
        byte[] garbage = new byte[(int) Files.size(logFiles.get(0))];
        new Random(1).nextBytes(garbage);
        Files.write(logFiles.get(0), garbage);
        Map<String, String> before = fingerprint(directory);

        StorageException failure = assertStorageFailure(StorageException.Reason.CORRUPTED, () -> provider.open(BackendConfig.of(directory, "kv")));
        assertTrue(failure.getMessage().contains(directory.toString()), failure.getMessage());
        assertEquals(before, fingerprint(directory), "nothing may be repaired or deleted");
        // and the failed open gave the lock back: it fails the same way again, not with LOCKED
        assertStorageFailure(StorageException.Reason.CORRUPTED, () -> provider.open(BackendConfig.of(directory, "kv")));
    }

    @Test
    void damageInTheMiddleOfTheLogIsRefusedInsteadOfCutAway() throws IOException {
        // Xodus 2.0.1 alone would recover to the last root before the damage and truncate the file after it,
        // silently dropping the later (synced) transactions
        Path directory = temp.resolve("db");
        Backend backend = provider.open(BackendConfig.of(directory, "kv"));
        for (int i = 0; i < 20; i++) {
            backend.write(new WriteBatch().put("kv", utf8("key" + i), new byte[1000]), Durability.SYNCED);
        }
        backend.close();
        Path logFile = XodusBackend.logFiles(directory).get(0);
        long size = Files.size(logFile);
        byte[] garbage = new byte[1500];
        new Random(5).nextBytes(garbage);
        try (var file = new java.io.RandomAccessFile(logFile.toFile(), "rw")) {
            file.seek(size * 3 / 10);
            file.write(garbage);
        }
        Map<String, String> before = fingerprint(directory);
        StorageException failure = assertStorageFailure(StorageException.Reason.CORRUPTED, () -> provider.open(BackendConfig.of(directory, "kv")));
        assertTrue(failure.getMessage().contains("below address " + size), failure.getMessage());
        assertEquals(before, fingerprint(directory), "nothing may be repaired or deleted");
        assertEquals(size, Files.size(logFile));
    }

    @Test
    void theTornTailOfAnUnfinishedCommitIsCutBackToTheLastCommit() throws IOException {
        Path directory = temp.resolve("db");
        Backend backend = open(directory, "kv");
        for (int i = 0; i < 20; i++) {
            backend.write(new WriteBatch().put("kv", utf8("key" + i), new byte[500]), Durability.SYNCED);
        }
        // a crash image: the side file first, then the log (which can only be longer), then half a commit
        Path image = Files.createDirectory(temp.resolve("image"));
        Files.copy(directory.resolve(BackendDirectory.MARKER_FILE), image.resolve(BackendDirectory.MARKER_FILE));
        Files.copy(directory.resolve(DurableWatermark.FILE_NAME), image.resolve(DurableWatermark.FILE_NAME));
        for (Path file : XodusBackend.logFiles(directory)) {
            Files.copy(file, image.resolve(file.getFileName()));
        }
        Path lastFile = XodusBackend.logFiles(image).getLast();
        long committedLength = Files.size(lastFile);
        byte[] torn = new byte[700];
        new Random(9).nextBytes(torn);
        Files.write(lastFile, torn, java.nio.file.StandardOpenOption.APPEND);

        Backend recovered = open(image, "kv");
        assertEquals(20L, recovered.stats().estimatedKeys().get("kv"));
        assertEquals(committedLength, Files.size(lastFile), "Xodus cut the torn tail, and only it");
        recovered.write(new WriteBatch().put("kv", utf8("after"), bytes(1)), Durability.SYNCED);
        assertArrayEquals(bytes(1), recovered.get("kv", utf8("after")));
    }

    @Test
    void aLogFileOfTheWrongLengthIsReportedCorruptedNotCleared() throws IOException {
        Path directory = temp.resolve("db");
        BackendConfig config = new BackendConfig(directory, java.util.Set.of("kv"), Map.of("xodus.log-file-size", "64"));
        Backend backend = provider.open(config);
        for (int i = 0; i < 40; i++) {
            backend.write(new WriteBatch().put("kv", utf8("key" + i), new byte[4000]), Durability.NOT_SYNCED);
        }
        backend.close();
        List<Path> logFiles = XodusBackend.logFiles(directory);
        assertTrue(logFiles.size() >= 3, "expected several 64 KiB log files, got " + logFiles);
        try (var channel = java.nio.channels.FileChannel.open(logFiles.get(0), java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(1000); // a file in the middle of the log that is too short
        }
        Map<String, String> before = fingerprint(directory);
        StorageException failure = assertStorageFailure(StorageException.Reason.CORRUPTED, () -> provider.open(config));
        assertTrue(failure.getMessage().contains("nothing was repaired or deleted"), failure.getMessage());
        assertEquals(before, fingerprint(directory));
    }

    @Test
    void checkpointOpensAsAnIndependentCopy() throws IOException {
        Backend backend = open(temp.resolve("db"), "a", "b");
        backend.write(new WriteBatch().put("a", utf8("k"), utf8("before")).put("b", bytes(), bytes(0xFF)), Durability.NOT_SYNCED);
        Path target = temp.resolve("checkpoint");
        backend.checkpoint(target);
        backend.write(new WriteBatch().put("a", utf8("k"), utf8("after")).put("a", utf8("new"), utf8("1")), Durability.SYNCED);

        assertTrue(Files.readString(target.resolve(BackendDirectory.MARKER_FILE)).contains("provider=xodus"));
        assertFalse(Files.exists(target.resolve("xd.lck")), "the lock file is not part of a checkpoint");
        Backend copy = open(target, "a", "b");
        assertArrayEquals(utf8("before"), copy.get("a", utf8("k")));
        assertNull(copy.get("a", utf8("new")));
        assertArrayEquals(bytes(0xFF), copy.get("b", bytes()));
        copy.write(new WriteBatch().put("b", utf8("only-in-copy"), bytes(1)), Durability.SYNCED);
        assertNull(backend.get("b", utf8("only-in-copy")));
        assertArrayEquals(utf8("after"), backend.get("a", utf8("k")));
    }

    @Test
    void checkpointRefusesAnExistingTargetOrAMissingParent() throws IOException {
        Backend backend = open(temp.resolve("db"), "kv");
        Path existing = Files.createDirectory(temp.resolve("existing"));
        StorageException failure = assertStorageFailure(StorageException.Reason.IO, () -> backend.checkpoint(existing));
        assertTrue(failure.getMessage().contains("already exists"), failure.getMessage());
        assertEquals(0, fingerprint(existing).size(), "an existing target is left alone");
        assertStorageFailure(StorageException.Reason.IO, () -> backend.checkpoint(temp.resolve("no/such/parent")));
        assertFalse(Files.exists(temp.resolve("no")));
    }

    @Test
    void checkpointsTakenWhileWritingHoldWholeBatches() throws Exception {
        BackendConfig config = new BackendConfig(temp.resolve("db"), java.util.Set.of("log", "state"), Map.of("xodus.log-file-size", "64"));
        Backend backend = open(config);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        List<Path> checkpoints = new ArrayList<>();
        try {
            Future<?> writer = pool.submit(() -> {
                byte[] filler = new byte[3000];
                for (int i = 1; !stop.get(); i++) {
                    // every batch: a new log entry, and the state's counter moved to it, in both keyspaces
                    backend.write(new WriteBatch().put("log", String.format("%08d", i).getBytes(), filler)
                            .put("state", utf8("last"), String.format("%08d", i).getBytes()), i % 10 == 0 ? Durability.SYNCED : Durability.NOT_SYNCED);
                    written.set(i);
                }
                return null;
            });
            for (int c = 0; c < 6; c++) {
                while (written.get() < (c + 1) * 20) {
                    Thread.sleep(1);
                }
                Path target = temp.resolve("checkpoint-" + c);
                backend.checkpoint(target);
                checkpoints.add(target);
            }
            stop.set(true);
            writer.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        backend.compact(); // the live backend's files change; the checkpoints must not
        int previous = 0;
        for (Path checkpoint : checkpoints) {
            Backend copy = open(config.withDirectory(checkpoint));
            int last = Integer.parseInt(new String(copy.get("state", utf8("last"))));
            assertTrue(last >= previous, "checkpoints go forward");
            var entries = copy.scan("log", null, null, ScanOrder.ASCENDING, 0);
            assertEquals(last, entries.size(), "checkpoint " + checkpoint.getFileName() + " holds a torn batch");
            assertEquals(String.format("%08d", last), new String(entries.get(entries.size() - 1).key()));
            previous = last;
            copy.close();
        }
    }

    @Test
    void statsCountKeysAndFileBytes() {
        Backend backend = open(temp.resolve("db"), "a", "b");
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 100; i++) {
            batch.put("a", utf8("k" + i), new byte[100]);
        }
        batch.put("b", bytes(), bytes());
        backend.write(batch, Durability.SYNCED);
        var stats = backend.stats();
        assertEquals(Map.of("a", 100L, "b", 1L), stats.estimatedKeys());
        assertTrue(stats.sizeOnDiskBytes() > 100 * 100, "size " + stats.sizeOnDiskBytes());
    }

    @Test
    void compactReclaimsTheSpaceOfOverwrittenEntries() {
        BackendConfig config = new BackendConfig(temp.resolve("db"), java.util.Set.of("kv"),
                Map.of("xodus.log-file-size", "128", "rocksdb.block-size", "ignored by xodus"));
        Backend backend = open(config);
        byte[] value = new byte[1000];
        for (int round = 0; round < 20; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 200; i++) {
                value[0] = (byte) round;
                batch.put("kv", utf8("key" + i), value);
            }
            backend.write(batch, Durability.NOT_SYNCED);
        }
        long before = backend.stats().sizeOnDiskBytes();
        assertTrue(before > 20 * 200 * 1000, "expected about 4 MB of overwritten values, got " + before);
        try (ReadSnapshot snapshot = backend.snapshot()) {
            backend.compact();
            // the files the snapshot reads stay until it closes
            assertEquals(200, snapshot.scan("kv", null, null, ScanOrder.ASCENDING, 0).size());
            assertEquals(0, snapshot.get("kv", utf8("key7"))[0] - 19);
        }
        backend.compact(); // returns after the deletions that waited for the snapshot
        long after = backend.stats().sizeOnDiskBytes();
        assertTrue(after < before / 4, "compaction left " + after + " of " + before + " bytes");
        assertEquals(200L, backend.stats().estimatedKeys().get("kv"));
        assertEquals(19, backend.get("kv", utf8("key7"))[0]);
    }

    @Test
    void xodusOptionsAreCheckedAndOtherProvidersOptionsIgnored() {
        Path directory = temp.resolve("db");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> provider.open(new BackendConfig(directory, java.util.Set.of("kv"), Map.of("xodus.page-size", "4"))));
        assertTrue(unknown.getMessage().contains("xodus.page-size") && unknown.getMessage().contains("xodus.log-file-size")
                && unknown.getMessage().contains("xodus.cache-percent"), unknown.getMessage());
        assertFalse(Files.exists(directory), "bad options fail before the directory is touched");
        for (Map.Entry<String, String> bad : Map.of("xodus.log-file-size", "100", "xodus.cache-percent", "95",
                "xodus.gc-min-utilization", "lots").entrySet()) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> provider.open(new BackendConfig(directory, java.util.Set.of("kv"), Map.ofEntries(bad))));
            assertTrue(failure.getMessage().contains(bad.getKey()), failure.getMessage());
        }
        Backend backend = open(new BackendConfig(directory, java.util.Set.of("kv"), Map.of("xodus.log-file-size", "256",
                "xodus.cache-percent", "5", "xodus.gc-min-utilization", "60", "rocksdb.anything", "x")));
        backend.write(new WriteBatch().put("kv", bytes(1), bytes(1)), Durability.SYNCED);
        assertArrayEquals(bytes(1), backend.get("kv", bytes(1)));
    }

    @Test
    void flushAndAnEmptySyncedBatchAreAccepted() {
        Backend backend = open(temp.resolve("db"), "kv");
        backend.write(new WriteBatch().put("kv", bytes(1), bytes(1)), Durability.NOT_SYNCED);
        backend.flush();
        backend.write(new WriteBatch(), Durability.SYNCED);
        backend.write(new WriteBatch(), Durability.NOT_SYNCED);
        assertArrayEquals(bytes(1), backend.get("kv", bytes(1)));
    }

    /**
     * File name to content hash, for "nothing was modified" checks. Xodus's lock file {@code xd.lck} is left out: an
     * open that takes the lock writes its owner into it, whatever happens next.
     */
    static Map<String, String> fingerprint(Path directory) throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().equals("xd.lck")) {
                    result.put(file.getFileName().toString(), sha256(Files.readAllBytes(file)));
                }
            }
        }
        return result;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
