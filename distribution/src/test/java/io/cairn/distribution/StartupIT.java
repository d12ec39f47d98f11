package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Starting and stopping a member: clean stops, and one clear line for what stops a start. */
class StartupIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static void assertOneClearLine(CairnProcess.Result result, String mustName) {
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("cairn: cannot start: "), result::toString);
        assertTrue(result.stderr().contains(mustName), () -> "the message must name " + mustName + ": " + result);
        assertFalse(result.stderr().contains("\tat "), () -> "no stack trace without --debug: " + result);
    }

    @Test
    void sigtermStopsCleanlyWithExitZeroAndTheDataStays() {
        Path dataDir = CairnProcess.newDataDir("sigterm");
        try (CairnProcess server = CairnProcess.start(dataDir)) {
            new Etcdctl(server.endpoint()).ok("put", "kept", "after-stop");
            assertEquals(0, server.stop(), server::stderr);
            assertTrue(server.stderr().contains("cairn: SIGTERM received, stopping"), server::stderr);
            assertTrue(server.stderr().contains("cairn: stopped"), server::stderr);
        }
        // etcd restarts a member with --initial-cluster-state existing: its data directory says the rest
        try (CairnProcess again = CairnProcess.start(dataDir, "--initial-cluster-state", "existing")) {
            assertEquals("kept\nafter-stop\n", new Etcdctl(again.endpoint()).ok("get", "kept"));
        }
    }

    @Test
    void sigintStopsCleanlyToo() throws InterruptedException {
        try (CairnProcess server = CairnProcess.start(CairnProcess.newDataDir("sigint"))) {
            CairnProcess.Result kill = CairnProcess.runCommand(
                    List.of("kill", "-INT", String.valueOf(server.pid())), null, TIMEOUT);
            assertEquals(0, kill.exitCode(), kill::toString);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (server.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, server.stop(), server::stderr);
            assertTrue(server.stderr().contains("cairn: SIGINT received, stopping"), server::stderr);
            assertTrue(server.stderr().contains("cairn: stopped"), server::stderr);
        }
    }

    @Test
    void existingClusterStateWithoutAMembersDataIsRefused() {
        Path dataDir = CairnProcess.newDataDir("existing-empty");
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--data-dir", dataDir.toString(),
                "--initial-cluster-state", "existing", "--listen-client-urls", "http://127.0.0.1:0");
        assertOneClearLine(result, dataDir.toString());
        assertTrue(result.stderr().contains("--initial-cluster names no other member to join"), result::toString);
    }

    @Test
    void portInUseIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--data-dir",
                    CairnProcess.newDataDir("port-in-use").toString(), "--listen-client-urls", "http://" + address);
            assertOneClearLine(result, address);
        }
    }

    @Test
    void dataDirectoryHeldByARunningServerIsNamed() {
        Path dataDir = CairnProcess.newDataDir("held");
        try (CairnProcess holder = CairnProcess.start(dataDir)) {
            CairnProcess.Result second = CairnProcess.run(TIMEOUT, "--data-dir", dataDir.toString(),
                    "--listen-client-urls", "http://127.0.0.1:0");
            assertOneClearLine(second, dataDir.toString());
            assertTrue(holder.isAlive(), "the running server is untouched");
            new Etcdctl(holder.endpoint()).ok("put", "still", "serving");
        }
    }

    @Test
    void dataDirectoryThatIsAFileIsNamed() throws IOException {
        Path file = CairnProcess.newDataDir("a-file");
        Files.writeString(file, "not a directory");
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--data-dir", file.toString(),
                "--listen-client-urls", "http://127.0.0.1:0");
        assertOneClearLine(result, file.toString());
        assertEquals("not a directory", Files.readString(file), "nothing is overwritten");
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--data-dir",
                    CairnProcess.newDataDir("debug").toString(), "--debug",
                    "--listen-client-urls", "http://127.0.0.1:" + taken.getLocalPort());
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.stderr().contains("\tat "), result::toString);
        }
    }
}
