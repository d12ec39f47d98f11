package io.cairn.benchmark.sidebyside;

import com.google.protobuf.ByteString;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One running server process started by the runner, with its client port. Owned by the runner:
 * {@link #close()} stops it (SIGTERM, then SIGKILL after 60 s) and is called for every member it
 * starts. Its resident memory is read from {@code /proc/<pid>/status}.
 */
final class Member implements AutoCloseable {

    final ServerKind kind;
    final Process process;
    final int clientPort;
    final int peerPort;
    final Path dataDir;
    /** Nanoseconds from spawning the process until it answered a linearizable read. */
    final long startNanos;

    private Member(ServerKind kind, Process process, int clientPort, int peerPort, Path dataDir, long startNanos) {
        this.kind = kind;
        this.process = process;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dataDir = dataDir;
        this.startNanos = startNanos;
    }

    /** Starts one member on free ports (or the given ones) and waits until it answers. */
    static Member start(ServerKind kind, Path dataDir, Path log, int clientPort, int peerPort, boolean existing)
            throws IOException, InterruptedException {
        int client = clientPort > 0 ? clientPort : freePort();
        int peer = peerPort > 0 ? peerPort : freePort();
        String name = "bench";
        Spawned spawned = spawn(kind, name, dataDir, log, client, peer, name + "=http://127.0.0.1:" + peer, existing);
        return spawned.awaitAnswer();
    }

    /**
     * Starts {@code size} members of one new cluster on free ports (data directories {@code m1},
     * {@code m2}, … under {@code baseDir}), all processes first, then waits until each answers a
     * linearizable read (which needs a leader and a quorum). The caller closes every member returned.
     */
    static List<Member> startCluster(ServerKind kind, Path baseDir, Path logDir, int size)
            throws IOException, InterruptedException {
        int[] clients = new int[size];
        int[] peers = new int[size];
        List<String> initial = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clients[i] = freePort();
            peers[i] = freePort();
            initial.add("m" + (i + 1) + "=http://127.0.0.1:" + peers[i]);
        }
        List<Spawned> spawned = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                String name = "m" + (i + 1);
                spawned.add(spawn(kind, name, baseDir.resolve(name), logDir.resolve(kind.name().toLowerCase() + "-" + name + ".log"),
                        clients[i], peers[i], String.join(",", initial), false));
            }
            for (Spawned member : spawned) members.add(member.awaitAnswer());
            return members;
        } catch (IOException | RuntimeException | InterruptedException e) {
            for (Spawned member : spawned) member.process.destroyForcibly();
            throw e;
        }
    }

    /** A started process that has not answered yet. */
    private record Spawned(ServerKind kind, Process process, int client, int peer, Path dataDir, Path log, long spawnedNanos) {
        Member awaitAnswer() throws IOException, InterruptedException {
            try {
                Member.awaitAnswer(process, client, log);
            } catch (IOException | RuntimeException | InterruptedException e) {
                process.destroyForcibly();
                throw e;
            }
            return new Member(kind, process, client, peer, dataDir, System.nanoTime() - spawnedNanos);
        }
    }

    private static Spawned spawn(ServerKind kind, String name, Path dataDir, Path log, int client, int peer,
            String initialCluster, boolean existing) throws IOException {
        List<String> command = kind.command(name, dataDir, client, peer, initialCluster, existing ? "existing" : "new");
        Files.createDirectories(log.getParent());
        long spawned = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new Spawned(kind, process, client, peer, dataDir, log, spawned);
    }

    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    long pid() {
        return process.pid();
    }

    /** A line of {@code /proc/<pid>/status} in KiB (VmRSS, VmHWM), or -1 when the process is gone. */
    long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Polls until a linearizable read succeeds: the port is open, a leader is elected, the store serves. */
    private static void awaitAnswer(Process process, int port, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before answering; see " + log);
            }
            if (portOpen(port)) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
                try {
                    KVGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("startup-probe")).build());
                    return;
                } catch (io.grpc.StatusRuntimeException notYet) {
                    // not serving yet (no leader, still replaying): try again
                } finally {
                    channel.shutdownNow();
                }
            }
            Thread.sleep(5);
        }
        throw new IOException("the server did not answer within 10 minutes; see " + log);
    }

    private static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops the process with SIGTERM, as an operator would; returns nanoseconds it took to exit. */
    long stop() throws InterruptedException {
        long begin = System.nanoTime();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return System.nanoTime() - begin;
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
