package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@code bin/cairn-cluster} (the README's one command for a three-member cluster on one machine),
 * on free ports and the package the build made: the three members start and form one cluster that
 * etcdctl lists and writes to, and SIGTERM to the script (as Ctrl-C) stops all three.
 */
class ClusterScriptIT {

    @Test
    void startsThreeMembersThatEtcdctlListsAndStopsThemAllOnSigterm() throws Exception {
        Etcdctl.find();
        Path script = Path.of(System.getProperty("cairn.repo", "..")).resolve("bin/cairn-cluster").toAbsolutePath();
        assertTrue(Files.isExecutable(script), "no script at " + script);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ports.add(FaultCluster.freePort());
        }
        List<String> portList = ports.stream().map(String::valueOf).toList();
        Path dir = CairnProcess.newDataDir("script");
        List<String> command = List.of("env", "CAIRN_CLUSTER_PORTS=" + String.join(" ", portList),
                "CAIRN_HOME=" + CairnProcess.home(), "bash", script.toString(), dir.toString());
        List<ProcessHandle> members = new ArrayList<>();
        CairnProcess.Background cluster = CairnProcess.background(command);
        try {
            String endpoints = "127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(2) + ",127.0.0.1:" + ports.get(4);
            Etcdctl etcdctl = new Etcdctl(endpoints);
            String list = "";
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (System.nanoTime() < deadline && list.lines().filter(l -> l.contains(", started, m")).count() < 3) {
                assertTrue(cluster.isAlive(), () -> "the script ended early: " + cluster.stdout() + cluster.stderr());
                CairnProcess.Result result = etcdctl.run("member", "list");
                list = result.exitCode() == 0 ? result.stdout() : "";
                CairnProcess.sleep(300);
            }
            for (int i = 0; i < 3; i++) {
                assertTrue(list.contains(", started, m" + (i + 1) + ", http://127.0.0.1:" + ports.get(2 * i + 1)
                        + ", http://127.0.0.1:" + ports.get(2 * i)), "member list:\n" + list + "\nscript output:\n"
                        + cluster.stdout() + cluster.stderr());
            }
            etcdctl.ok("put", "foo", "bar");
            for (int i = 0; i < 3; i++) {
                assertEquals("foo\nbar\n", new Etcdctl("127.0.0.1:" + ports.get(2 * i)).ok("get", "foo"));
            }
            assertTrue(cluster.stdout().contains("m1 | ") && cluster.stdout().contains("m3 | "),
                    "each member's output is prefixed with its name: " + cluster.stdout());

            members.addAll(ProcessHandle.of(cluster.pid()).orElseThrow().descendants().toList());
            assertEquals(0, cluster.terminate(), () -> "the script stops cleanly: " + cluster.stdout() + cluster.stderr());
            for (ProcessHandle member : members) {
                member.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            // on a failure the script still runs: its members are killed with it, never left behind
            ProcessHandle.of(cluster.pid()).ifPresent(running -> members.addAll(running.descendants().toList()));
            cluster.close();
            members.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
