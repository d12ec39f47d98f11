package io.cairn.benchmark.sidebyside;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server the runner compares: its display name and how to start one member of it with etcd's
 * flags. Cairn takes etcd's flags, so the two differ only in the executable and extra flags.
 *
 * @param name       shown in the table ("etcd", "Cairn")
 * @param executable the program (etcd's binary, Cairn's {@code bin/cairn})
 * @param extraFlags appended to etcd's flags (logging)
 */
record ServerKind(String name, Path executable, List<String> extraFlags) {

    static ServerKind etcd(Path executable) {
        return new ServerKind("etcd", executable, List.of("--logger", "zap", "--log-level", "warn"));
    }

    static ServerKind cairn(Path executable) {
        return new ServerKind("Cairn", executable, List.of());
    }

    /**
     * The command line of one member.
     *
     * @param initialCluster etcd's {@code name=peer-url,...} of every member of the cluster
     * @param state          "new" for a fresh data directory, "existing" for a restart
     */
    List<String> command(String memberName, Path dataDir, int clientPort, int peerPort, String initialCluster, String state) {
        String clientUrl = "http://127.0.0.1:" + clientPort;
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--name", memberName, "--data-dir", dataDir.toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", initialCluster, "--initial-cluster-state", state));
        command.addAll(extraFlags);
        return command;
    }
}
