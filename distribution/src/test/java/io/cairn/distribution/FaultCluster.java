package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Three {@code cairn} members on 127.0.0.1 with fixed client and peer ports (so a restarted member
 * comes back where clients look for it), each polling its own fault-injection file. A member can be
 * killed (SIGKILL) and restarted on the same data dir with the same flags, paused (SIGSTOP) and
 * resumed (SIGCONT), or cut off from its peers through the file. {@link #close()} resumes and kills
 * every process it started.
 */
final class FaultCluster implements AutoCloseable {

    static final int SIZE = 3;

    /** One member's fixed identity: name, ports, data dir, fault file; and its current process. */
    static final class Member {
        final int index;
        final String name;
        final int clientPort;
        /** Where the member serves etcd's HTTP APIs (the JSON gateway), fixed like the client port. */
        final int httpPort;
        volatile String peerUrl;
        volatile Path dataDir;
        /** {@code new} for the first members; {@code existing} for a member that replaced a removed one. */
        volatile String state = "new";
        volatile String initialCluster;
        final Path faultFile;
        volatile CairnProcess process;
        volatile boolean paused;

        Member(int index, int clientPort, int httpPort, String peerUrl, Path dataDir, Path faultFile) {
            this.index = index;
            this.name = "m" + (index + 1);
            this.clientPort = clientPort;
            this.httpPort = httpPort;
            this.peerUrl = peerUrl;
            this.dataDir = dataDir;
            this.faultFile = faultFile;
        }

        String clientUrl() {
            return "http://127.0.0.1:" + clientPort;
        }

        /** The JSON gateway's base URL ({@code --listen-client-http-urls}). */
        String httpUrl() {
            return "http://127.0.0.1:" + httpPort;
        }

        /** {@code 127.0.0.1:port}: a gRPC target (jetcd's per-member maintenance calls) and etcdctl endpoint. */
        String endpoint() {
            return "127.0.0.1:" + clientPort;
        }

        long id() {
            return Long.parseUnsignedLong(process.memberIdHex(), 16);
        }

        boolean running() {
            CairnProcess p = process;
            return p != null && p.isAlive();
        }

        @Override
        public String toString() {
            return name + (process != null ? "(" + process.memberIdHex() + ")" : "");
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final Path root;
    private final String token;
    private final String snapshotCount;
    private final String storage;
    private final String peerTransport;
    private final Path home;

    FaultCluster(String token, int snapshotCount) {
        this(token, snapshotCount, "rocksdb", "grpc");
    }

    /** Members on storage plugin {@code storage} with peer traffic over transport {@code peerTransport}. */
    FaultCluster(String token, int snapshotCount, String storage, String peerTransport) {
        this(CairnProcess.home(), token, snapshotCount, storage, peerTransport);
    }

    /** The same, with the launcher of the package at {@code home} (e.g. a {@link PluginHome}). */
    FaultCluster(Path home, String token, int snapshotCount, String storage, String peerTransport) {
        this.home = home;
        this.storage = storage;
        this.peerTransport = peerTransport;
        this.token = token;
        this.snapshotCount = Integer.toString(snapshotCount);
        this.root = CairnProcess.newDataDir(token);
        try {
            Files.createDirectories(root);
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < SIZE; i++) {
                String peerUrl = "http://127.0.0.1:" + freePort();
                Member m = new Member(i, freePort(), freePort(), peerUrl, root.resolve("m" + (i + 1)),
                        root.resolve("faults-m" + (i + 1)));
                Files.writeString(m.faultFile, "", UTF_8);
                members.add(m);
                parts.add(m.name + "=" + peerUrl);
            }
            members.forEach(m -> m.initialCluster = String.join(",", parts));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    List<Member> members() {
        return members;
    }

    Member member(int index) {
        return members.get(index);
    }

    String endpoints() {
        return String.join(",", members.stream().map(Member::clientUrl).toList());
    }

    private String[] flags(Member m) {
        // etcd ignores the bootstrap flags once the data dir holds a member; so does cairn (the ids are
        // stored with the log at the first start), so a restart passes exactly the first start's flags
        return new String[] {"--name", m.name, "--listen-client-urls", m.clientUrl(),
                "--advertise-client-urls", m.clientUrl(), "--listen-client-http-urls", m.httpUrl(),
                "--listen-peer-urls", m.peerUrl, "--initial-advertise-peer-urls", m.peerUrl,
                "--initial-cluster", m.initialCluster, "--initial-cluster-state", m.state,
                "--initial-cluster-token", token, "--storage", storage, "--peer-transport", peerTransport,
                "--snapshot-count", snapshotCount,
                "--experimental-fault-injection-file", m.faultFile.toString()};
    }

    /** Starts every member, a thread each (a member's start waits for a leader, which needs the others). */
    void startAll() {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (Member m : members) {
            starting.add(CompletableFuture.runAsync(() -> start(m), r -> Thread.ofPlatform().start(r)));
        }
        starting.forEach(CompletableFuture::join);
    }

    /** Starts (or restarts, on the same data dir and flags) one member and waits for its ready line. */
    void start(Member m) {
        m.process = CairnProcess.start(home, m.dataDir, flags(m));
        m.paused = false;
    }

    /**
     * Gives the member a new identity after the cluster removed it: new peer URL (the id derives from
     * the URLs and the token, and a removed id cannot come back), a fresh data dir, and
     * {@code --initial-cluster-state existing} with every current member's peer URL. The client port
     * stays, so clients find it where they found the removed one. Returns the new peer URL, which
     * {@code member add} must announce before {@link #start}.
     */
    String renew(Member m) {
        try {
            m.peerUrl = "http://127.0.0.1:" + freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.dataDir = root.resolve(m.name + "-" + System.nanoTime());
        m.state = "existing";
        m.initialCluster = String.join(",", members.stream().map(x -> x.name + "=" + x.peerUrl).toList());
        return m.peerUrl;
    }

    /** SIGKILL: a crash, nothing flushed beyond what the member synced. */
    void kill(Member m) {
        if (m.paused) {
            resume(m);
        }
        m.process.kill();
    }

    void pause(Member m) {
        signal(m, "STOP");
        m.paused = true;
    }

    void resume(Member m) {
        signal(m, "CONT");
        m.paused = false;
    }

    /** Cuts the member off from every peer (both directions) through its fault file. */
    void isolate(Member m) {
        writeFaults(m, "drop *\n");
    }

    void heal(Member m) {
        writeFaults(m, "");
    }

    private static void writeFaults(Member m, String rules) {
        try {
            // the member polls the file's modification time: replace it whole, with a new time
            Path tmp = m.faultFile.resolveSibling(m.faultFile.getFileName() + ".tmp");
            Files.writeString(tmp, rules, UTF_8);
            Files.move(tmp, m.faultFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(Member m, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(m.process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + m.process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Resumes paused members, heals every fault file and starts members that are down. */
    void healAll() {
        for (Member m : members) {
            if (m.paused) {
                resume(m);
            }
            heal(m);
        }
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (Member m : members) {
            if (!m.running()) {
                starting.add(CompletableFuture.runAsync(() -> start(m), r -> Thread.ofPlatform().start(r)));
            }
        }
        starting.forEach(CompletableFuture::join);
    }

    /** Every member's output, for a failure message. */
    String logs() {
        StringBuilder out = new StringBuilder();
        for (Member m : members) {
            if (m.process != null) {
                String err = m.process.stderr();
                out.append("\n--- ").append(m).append(" stderr (last 4000 chars):\n")
                        .append(err.substring(Math.max(0, err.length() - 4000)));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        for (Member m : members) {
            CairnProcess p = m.process;
            if (p == null) {
                continue;
            }
            if (m.paused && p.isAlive()) {
                try {
                    resume(m);
                } catch (RuntimeException | AssertionError e) {
                    // killed below regardless
                }
            }
            p.close();
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
