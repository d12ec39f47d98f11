package io.cairn.storage.rocksdb;

import static io.cairn.storage.rocksdb.Fixtures.bytes;
import static io.cairn.storage.rocksdb.Fixtures.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ScanOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NOT_SYNCED writes survive a process crash (they are in RocksDB's write-ahead log, in the OS
 * page cache). A child JVM on this module path writes and is then killed with SIGKILL.
 */
class RocksDbCrashTest {

    @TempDir
    Path temp;

    @Test
    @Timeout(120)
    void unsyncedWritesSurviveAKilledProcess() throws Exception {
        String modulePath = System.getProperty("jdk.module.path");
        assertNotNull(modulePath, "tests run on the module path");
        Path dir = temp.resolve("db");
        Path program = temp.resolve("Writer.java");
        Files.writeString(program, """
                import io.cairn.spi.storage.*;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.Path;
                public class Writer {
                    public static void main(String[] args) throws Exception {
                        Backend backend = StorageProviders.byId("rocksdb").open(BackendConfig.of(Path.of(args[0]), "data"));
                        for (int i = 0; i < 1000; i++) {
                            backend.write(new WriteBatch()
                                    .put("data", ("key-" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).getBytes(StandardCharsets.UTF_8))
                                    .put("data", "last".getBytes(StandardCharsets.UTF_8), String.valueOf(i).getBytes(StandardCharsets.UTF_8)),
                                    Durability.NOT_SYNCED);
                        }
                        System.out.println("written");
                        System.out.flush();
                        Thread.sleep(120_000); // killed long before
                    }
                }
                """);
        String javaLauncher = ProcessHandle.current().info().command().orElseThrow();
        Process writer = new ProcessBuilder(javaLauncher, "--enable-native-access=rocksdbjni", "--module-path", modulePath,
                "--add-modules", "io.cairn.storage.rocksdb", program.toString(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            var stdout = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("written", stdout.readLine(), "the writer finished its writes");
        } finally {
            writer.destroyForcibly(); // SIGKILL: no close, no flush
            writer.waitFor(30, TimeUnit.SECONDS);
        }
        try (Backend backend = open(dir, "data")) {
            assertArrayEquals(bytes("999"), backend.get("data", bytes("last")));
            assertEquals(1001, backend.scan("data", null, null, ScanOrder.ASCENDING, 0).size());
            assertArrayEquals(bytes("value-500"), backend.get("data", bytes("key-500")));
        }
    }
}
