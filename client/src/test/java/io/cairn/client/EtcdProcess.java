package io.cairn.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's etcd-server, {@code /usr/bin/etcd}) on free 127.0.0.1 ports with a data
 * directory of its own, for the client's tests against etcd itself. Stopped by {@link #close()}.
 */
final class EtcdProcess implements AutoCloseable {

    final Path dataDir;
    final int clientPort;
    final int peerPort;
    private final Path log;
    private final List<String> extraArgs;
    private Process process;

    EtcdProcess(Path dataDir, List<String> extraArgs) throws IOException {
        this.dataDir = dataDir;
        this.clientPort = freePort();
        this.peerPort = freePort();
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.extraArgs = List.copyOf(extraArgs);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String binary() {
        for (String candidate : List.of("/usr/bin/etcd", "/usr/local/bin/etcd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("etcd not found: install the Debian package etcd-server"
                + " (src/test/scripts/ensure-etcd-server.sh does so before the ITs)");
    }

    String scheme() {
        return extraArgs.stream().anyMatch(arg -> arg.startsWith("--cert-file")) ? "https" : "http";
    }

    String endpoint() {
        return scheme() + "://127.0.0.1:" + clientPort;
    }

    /** Starts etcd (again, on the same ports and data) and returns once its client port accepts connections. */
    EtcdProcess start() throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(binary(),
                "--name", "it",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "it=" + peer));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + log);
            }
            try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), clientPort)) {
                return this;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("etcd did not listen on " + clientPort + " within 30 s; see " + log);
    }

    /** Stops etcd (SIGTERM, then SIGKILL after 10 s). */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }
}
