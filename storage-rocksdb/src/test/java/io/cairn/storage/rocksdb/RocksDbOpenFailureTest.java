package io.cairn.storage.rocksdb;

import static io.cairn.storage.rocksdb.Fixtures.bytes;
import static io.cairn.storage.rocksdb.Fixtures.open;
import static io.cairn.storage.rocksdb.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open refuses locked, foreign and damaged directories with the right reason, touching no data file. */
class RocksDbOpenFailureTest {

    @TempDir
    Path temp;

    @Test
    void secondOpenInTheSameProcessIsLocked() {
        Path dir = temp.resolve("db");
        try (Backend first = open(dir, "data")) {
            put(first, "data", bytes("k"), bytes("v"));
            StorageException e = assertThrows(StorageException.class, () -> open(dir, "data"));
            assertEquals(Reason.LOCKED, e.reason(), e.getMessage());
            assertArrayEquals(bytes("v"), first.get("data", bytes("k")), "the first backend keeps working");
        }
        try (Backend again = open(dir, "data")) {
            assertArrayEquals(bytes("v"), again.get("data", bytes("k")), "after close the lock is released");
        }
    }

    /**
     * Another process holds RocksDB's LOCK file with a POSIX record lock, as a RocksDB there would.
     * The holder is a single-file Java program (Java's FileChannel.lock is fcntl on Linux, like RocksDB's).
     */
    @Test
    void openWhileAnotherProcessHoldsTheLockIsLocked() throws Exception {
        Path dir = temp.resolve("db");
        open(dir, "data").close();
        Path holder = temp.resolve("LockHolder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class LockHolder {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                                var lock = channel.lock()) {
                            System.out.println("holding");
                            System.out.flush();
                            System.in.read(); // until the test closes our stdin
                        }
                    }
                }
                """);
        String javaLauncher = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder(javaLauncher, holder.toString(), dir.resolve("LOCK").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            var stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("holding", stdout.readLine(), "the lock holder started");
            StorageException e = assertThrows(StorageException.class, () -> open(dir, "data"));
            assertEquals(Reason.LOCKED, e.reason(), e.getMessage());
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        open(dir, "data").close(); // released when the other process let go
    }

    @Test
    void directoryWithUnrelatedFilesIsForeign() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not a database");
        StorageException e = assertThrows(StorageException.class, () -> open(dir, "data"));
        assertEquals(Reason.FOREIGN, e.reason(), e.getMessage());
        assertEquals("not a database", Files.readString(dir.resolve("holiday.jpg")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing was added to the foreign directory");
        }
    }

    @Test
    void xodusDirectoryIsForeign() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("xodus"));
        BackendDirectory.writeMarker(dir, "xodus", 1);
        Files.write(dir.resolve("00000000000.xd"), new byte[] {1, 2, 3});
        StorageException e = assertThrows(StorageException.class, () -> open(dir, "data"));
        assertEquals(Reason.FOREIGN, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("xodus"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "nothing was added to the Xodus directory");
        }
    }

    @Test
    void emptyCurrentFileIsCorrupted() throws IOException {
        Path dir = populated("db");
        Files.write(dir.resolve("CURRENT"), new byte[0]);
        assertCorruptedAndUntouched(dir);
    }

    @Test
    void garbledCurrentFileIsCorrupted() throws IOException {
        Path dir = populated("db");
        Files.writeString(dir.resolve("CURRENT"), "MANIFEST-999999\n");
        assertCorruptedAndUntouched(dir);
    }

    @Test
    void missingCurrentNextToDataIsCorruptedNotRecreated() throws IOException {
        Path dir = populated("db");
        Files.delete(dir.resolve("CURRENT"));
        assertCorruptedAndUntouched(dir);
    }

    @Test
    void garbledManifestIsCorrupted() throws IOException {
        Path dir = populated("db");
        Path manifest = only(dir, "MANIFEST-");
        byte[] content = Files.readAllBytes(manifest);
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) ~content[i];
        }
        Files.write(manifest, content);
        assertCorruptedAndUntouched(dir);
    }

    @Test
    void truncatedTableFileIsCorrupted() throws IOException {
        Path dir = populated("db");
        Path table = only(dir, ".sst");
        byte[] content = Files.readAllBytes(table);
        Files.write(table, java.util.Arrays.copyOf(content, content.length / 2));
        assertCorruptedAndUntouched(dir);
    }

    @Test
    void tableFileWithGarbledDataBlockIsCorruptedOnRead() throws IOException {
        Path dir = populated("db");
        Path table = only(dir, ".sst");
        byte[] content = Files.readAllBytes(table);
        // The first data block starts at offset 0; flip bytes inside it, leaving size and footer intact.
        for (int i = 10; i < 40; i++) {
            content[i] = (byte) ~content[i];
        }
        Files.write(table, content);
        StorageException e = assertThrows(StorageException.class, () -> {
            try (Backend backend = open(dir, "data")) {
                backend.get("data", bytes("key-0001"));
            }
        });
        assertEquals(Reason.CORRUPTED, e.reason(), e.getMessage());
    }

    /** A closed database with its data in a table file (flushed by a compaction). */
    private Path populated(String name) {
        Path dir = temp.resolve(name);
        try (Backend backend = open(dir, "data")) {
            io.cairn.spi.storage.WriteBatch batch = new io.cairn.spi.storage.WriteBatch();
            for (int i = 0; i < 100; i++) {
                batch.put("data", bytes("key-%04d".formatted(i)), bytes("value-" + i));
            }
            backend.write(batch, io.cairn.spi.storage.Durability.SYNCED);
            backend.compact();
        }
        return dir;
    }

    private static Path only(Path dir, String namePart) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(namePart)).reduce((a, b) -> {
                throw new AssertionError("several files match " + namePart + ": " + a + ", " + b);
            }).orElseThrow(() -> new AssertionError("no file matches " + namePart + " in " + dir));
        }
    }

    private static void assertCorruptedAndUntouched(Path dir) throws IOException {
        Map<String, String> before = dataFiles(dir);
        StorageException e = assertThrows(StorageException.class, () -> open(dir, "data").close());
        assertEquals(Reason.CORRUPTED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), "the message names the directory: " + e.getMessage());
        assertEquals(before, dataFiles(dir), "no data file was changed, added or deleted");
    }

    /**
     * Name to content hash of every file but RocksDB's LOCK, which an open attempt creates if
     * missing. (RocksDB's info log goes to System.Logger, so no LOG file is written or rotated.)
     */
    private static Map<String, String> dataFiles(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.toList()) {
                String name = file.getFileName().toString();
                if (name.equals("LOCK")) {
                    continue;
                }
                try {
                    files.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return files;
    }
}
