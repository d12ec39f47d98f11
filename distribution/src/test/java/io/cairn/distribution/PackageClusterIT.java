package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged distribution as an operator gets it: {@code cairn-VERSION.tar.gz} unpacked with tar,
 * its {@code conf/cairn.yaml} copied per member with only names, addresses and paths edited, and a
 * three-member cluster started from it with mutual TLS on the client and the peer side
 * (certificates made at run time). etcdctl with {@code --cacert/--cert/--key} is served; without a
 * client certificate, or over plain text, it is refused. A leader told to stop (SIGTERM) hands
 * leadership to another member first and exits 0; it then restarts from the same file.
 */
class PackageClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final List<CairnProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        processes.forEach(CairnProcess::close);
    }

    @Test
    void threeMembersFromTheTarballWithMutualTls() throws IOException {
        Etcdctl.find();
        Path root = CairnProcess.newDataDir("package");
        Path home = unpack(root);

        CairnProcess.Result version = CairnProcess.runCommand(List.of(home.resolve("bin/cairn").toString(), "version"),
                null, TIMEOUT);
        assertEquals(0, version.exitCode(), version::toString);
        assertTrue(version.stdout().startsWith("Cairn Version: " + Main.version() + "\netcd API Version: 3.5\nGit SHA: "),
                version::toString);
        assertTrue(Files.isRegularFile(home.resolve("conf/cairn.service")), "the systemd unit example is shipped");
        assertTrue(Files.readString(home.resolve("conf/cairn.service")).contains("ExecStart=/opt/cairn/bin/cairn"
                + " --config-file /etc/cairn/cairn.yaml"));

        Pki pki = new Pki(root.resolve("pki"), "cluster");
        Pki.Issued etcdctlCertificate = pki.issue("etcdctl");
        String example = Files.readString(home.resolve("conf/cairn.yaml"));
        int[] clientPorts = {freePort(), freePort(), freePort()};
        int[] peerPorts = {freePort(), freePort(), freePort()};
        String initialCluster = "m1=https://127.0.0.1:" + peerPorts[0] + ",m2=https://127.0.0.1:" + peerPorts[1]
                + ",m3=https://127.0.0.1:" + peerPorts[2];
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "m" + (i + 1);
            Pki.Issued member = pki.issue(name);
            String yaml = edit(example, "name: n1", "name: " + name);
            yaml = edit(yaml, "data-dir: /var/lib/cairn/n1.cairn", "data-dir: " + root.resolve(name + ".cairn"));
            yaml = yaml.replace("https://10.0.0.1:2379", "https://127.0.0.1:" + clientPorts[i]);
            yaml = yaml.replace("listen-peer-urls: https://10.0.0.1:2380", "listen-peer-urls: https://127.0.0.1:"
                    + peerPorts[i]);
            yaml = yaml.replace("initial-advertise-peer-urls: https://10.0.0.1:2380",
                    "initial-advertise-peer-urls: https://127.0.0.1:" + peerPorts[i]);
            yaml = edit(yaml, "initial-cluster: n1=https://10.0.0.1:2380,n2=https://10.0.0.2:2380,n3=https://10.0.0.3:2380",
                    "initial-cluster: " + initialCluster);
            yaml = yaml.replace("/etc/cairn/pki/server.crt", member.certificate().toString())
                    .replace("/etc/cairn/pki/server.key", member.key().toString())
                    .replace("/etc/cairn/pki/peer.crt", member.certificate().toString())
                    .replace("/etc/cairn/pki/peer.key", member.key().toString())
                    .replace("/etc/cairn/pki/ca.crt", pki.caCertificate().toString());
            if (i == 2) {
                yaml = edit(yaml, "log-format: text", "log-format: json");
            }
            String settings = String.join("\n", yaml.lines().filter(line -> !line.strip().startsWith("#")).toList());
            assertTrue(!settings.contains("10.0.0.") && !settings.contains("/etc/cairn"),
                    "every address and path edited:\n" + settings);
            Path config = root.resolve(name + ".yaml");
            Files.writeString(config, yaml);
            configs.add(config);
        }

        List<CompletableFuture<CairnProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path config = configs.get(i);
            Path dataDir = root.resolve("m" + (i + 1) + ".cairn");
            // a thread each (not the common pool, one thread on two cores): every start waits for a
            // leader, which needs the others started too
            CompletableFuture<CairnProcess> started = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    started.complete(CairnProcess.startFrom(home, dataDir, "--config-file", config.toString()));
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            });
            starting.add(started);
        }
        for (CompletableFuture<CairnProcess> started : starting) {
            processes.add(started.join());
        }
        for (CairnProcess member : processes) {
            assertEquals("https", member.clientUrl().getScheme(), "the ready line names the https URL");
        }
        List<String> endpoints = processes.stream().map(p -> "https://" + p.endpoint()).toList();
        String[] certificates = {"--cacert", pki.caCertificate().toString(), "--cert",
                etcdctlCertificate.certificate().toString(), "--key", etcdctlCertificate.key().toString()};
        Etcdctl all = new Etcdctl(String.join(",", endpoints));

        ok(all, certificates, "put", "tls", "on-every-side");
        for (String endpoint : endpoints) {
            assertEquals("on-every-side", ok(new Etcdctl(endpoint), certificates, "get", "tls", "--print-value-only").strip(),
                    "linearizable read through " + endpoint + " (over the peers' mutual TLS)");
        }
        String members = ok(all, certificates, "member", "list");
        for (int i = 0; i < 3; i++) {
            assertTrue(members.contains(processes.get(i).memberIdHex() + ", started, m" + (i + 1) + ", https://127.0.0.1:"
                    + peerPorts[i] + ", https://127.0.0.1:" + clientPorts[i]), members);
        }

        CairnProcess.Result noCertificate = new Etcdctl(endpoints.get(0)).run("--cacert", pki.caCertificate().toString(),
                "put", "intruder", "1");
        assertNotEquals(0, noCertificate.exitCode(), "a client without a certificate is refused: " + noCertificate);
        CairnProcess.Result plain = new Etcdctl(processes.get(1).endpoint()).run("put", "intruder", "2");
        assertNotEquals(0, plain.exitCode(), "plain text is refused: " + plain);
        assertEquals("", ok(all, certificates, "get", "intruder", "--keys-only").strip(), "no refused client wrote");

        for (String line : processes.get(2).stderr().lines().toList()) {
            assertTrue(line.startsWith("{\"level\":\"") && line.endsWith("}"), "log-format json: one object per line: "
                    + line);
        }
        assertTrue(processes.get(2).stderr().contains("\"msg\":\"ready to serve client requests\""),
                processes.get(2)::stderr);

        // graceful stop of the leader: leadership goes to another member before it exits
        int leader = leaderIndex(all, certificates);
        CairnProcess stopping = processes.get(leader);
        assertEquals(0, stopping.stop(), "a graceful stop exits 0: " + stopping.stderr());
        String stopLog = stopping.stderr();
        assertTrue(stopLog.contains("SIGTERM received, stopping") && stopLog.contains("leadership handed over to m"),
                stopLog);
        int successor = -1;
        for (int i = 0; i < 3; i++) {
            if (i != leader && stopLog.contains("leadership handed over to m" + (i + 1))) {
                successor = i;
            }
        }
        assertTrue(successor >= 0, "the log names the member that took over: " + stopLog);
        // the member named leads at once: no election timeout without a leader
        Etcdctl survivors = new Etcdctl(String.join(",", endpoints.stream()
                .filter(e -> !e.equals(endpoints.get(leader))).toList()));
        assertEquals(successor, leaderIndex(survivors, certificates), "the member the log names leads");
        ok(survivors, certificates, "put", "after", "hand-over");

        // and the stopped member restarts from the same file and catches up
        CairnProcess restarted = CairnProcess.startFrom(home, root.resolve("m" + (leader + 1) + ".cairn"),
                "--config-file", configs.get(leader).toString());
        processes.set(leader, restarted);
        assertEquals("hand-over", ok(new Etcdctl(endpoints.get(leader)), certificates, "get", "after",
                "--print-value-only").strip());
    }

    /** {@code tar xzf} of the package the build made, into {@code root}; returns the unpacked folder. */
    private static Path unpack(Path root) throws IOException {
        Path built = CairnProcess.home();
        Path tarball = built.resolveSibling(built.getFileName() + ".tar.gz");
        assertTrue(Files.isRegularFile(tarball), "no package at " + tarball);
        Files.createDirectories(root);
        CairnProcess.Result tar = CairnProcess.runCommand(List.of("tar", "-xzf", tarball.toString(), "-C",
                root.toString()), null, TIMEOUT);
        assertEquals(0, tar.exitCode(), tar::toString);
        Path home = root.resolve(built.getFileName());
        assertTrue(Files.isExecutable(home.resolve("bin/cairn")), "bin/cairn is executable in the tarball");
        return home;
    }

    /** Replaces the one line {@code from} of the example, which must be there. */
    private static String edit(String yaml, String from, String to) {
        assertTrue(yaml.lines().filter(line -> line.equals(from)).count() == 1, "conf/cairn.yaml has one line '" + from
                + "'");
        return yaml.replace(from + "\n", to + "\n");
    }

    private static String ok(Etcdctl etcdctl, String[] certificates, String... args) {
        List<String> all = new ArrayList<>(List.of(certificates));
        all.addAll(List.of(args));
        return etcdctl.ok(all.toArray(String[]::new));
    }

    /** The index in {@link #processes} of the member that {@code endpoint status} says leads. */
    private int leaderIndex(Etcdctl etcdctl, String[] certificates) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            List<String> args = new ArrayList<>(List.of(certificates));
            args.addAll(List.of("endpoint", "status"));
            CairnProcess.Result result = etcdctl.run(args.toArray(String[]::new));
            status = result + "";
            // etcdctl 3.4: endpoint, ID, version, DB size, is leader, is learner, term, index, applied, errors
            for (String line : result.stdout().lines().toList()) {
                String[] fields = line.split(",\\s*");
                if (fields.length > 4 && fields[4].equals("true")) {
                    for (int i = 0; i < processes.size(); i++) {
                        if (processes.get(i).memberIdHex().equals(fields[1])) {
                            return i;
                        }
                    }
                }
            }
            CairnProcess.sleep(200);
        }
        throw new AssertionError("no member says it leads: " + status);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
