package io.cairn.distribution;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code cairn} processes on 127.0.0.1 started with etcd's cluster flags, driven with etcd's
 * own {@code etcdctl}: writes and reads through every member, member list, and a fourth member added
 * as a learner, joined with {@code --initial-cluster-state existing}, promoted through a follower,
 * then removed (its process then exits by itself).
 */
class ClusterIT {

    private final List<CairnProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        processes.forEach(CairnProcess::close);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static String[] memberFlags(String name, String peerUrl, String initialCluster, String state) {
        return new String[] {"--name", name, "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", initialCluster, "--initial-cluster-state", state,
                "--initial-cluster-token", "cluster-it"};
    }

    @Test
    void etcdctlAgainstThreeMembersAndAMemberAddedAndRemoved() throws IOException {
        Etcdctl.find();
        List<String> peerUrls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peerUrls.add("http://127.0.0.1:" + freePort());
        }
        String initial = "n1=" + peerUrls.get(0) + ",n2=" + peerUrls.get(1) + ",n3=" + peerUrls.get(2);
        List<CompletableFuture<CairnProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String[] flags = memberFlags("n" + (i + 1), peerUrls.get(i), initial, "new");
            // a thread each: every start waits for a leader, which needs the others started too
            CompletableFuture<CairnProcess> started = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    started.complete(CairnProcess.start(CairnProcess.newDataDir("cluster"), flags));
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            });
            starting.add(started);
        }
        starting.forEach(f -> processes.add(f.join()));
        String endpoints = String.join(",", processes.stream().map(CairnProcess::endpoint).toList());
        Etcdctl all = new Etcdctl(endpoints);

        all.ok("put", "foo", "bar");
        for (CairnProcess p : processes) {
            assertEquals("foo\nbar\n", new Etcdctl(p.endpoint()).ok("get", "foo"), "linearizable get on " + p.endpoint());
        }
        String members = all.ok("member", "list");
        for (int i = 0; i < 3; i++) {
            assertTrue(members.contains(processes.get(i).memberIdHex() + ", started, n" + (i + 1) + ", " + peerUrls.get(i)
                    + ", " + processes.get(i).clientUrl()), members);
        }

        String added = all.ok("member", "add", "n4", "--peer-urls=" + peerUrls.get(3), "--learner");
        assertTrue(added.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), added);
        CairnProcess fourth = CairnProcess.start(CairnProcess.newDataDir("cluster"),
                memberFlags("n4", peerUrls.get(3), initial + ",n4=" + peerUrls.get(3), "existing"));
        processes.add(fourth);
        assertTrue(added.contains(fourth.memberIdHex()), "member add named the id the new member computes: " + added);
        assertEquals("foo\nbar\n", new Etcdctl(fourth.endpoint()).ok("get", "foo", "--consistency=s"));

        // promoted through a follower, which asks the leader whether the learner is in sync (as etcd
        // forwards the promotion); retried until the learner has caught up
        CairnProcess follower = processes.subList(0, 3).stream().filter(p -> !isLeader(p)).findFirst().orElseThrow();
        String promoted = null;
        for (int attempt = 0; attempt < 60 && promoted == null; attempt++) {
            CairnProcess.Result result = new Etcdctl(follower.endpoint()).run("member", "promote", fourth.memberIdHex());
            if (result.exitCode() == 0) {
                promoted = result.stdout();
            } else {
                assertTrue(result.stderr().contains("in sync with leader"), result::toString);
                CairnProcess.sleep(100);
            }
        }
        assertTrue(promoted != null && promoted.contains("promoted"), String.valueOf(promoted));
        all.ok("member", "remove", fourth.memberIdHex());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (fourth.isAlive() && System.nanoTime() < deadline) {
            CairnProcess.sleep(100);
        }
        assertTrue(!fourth.isAlive(), "the removed member's process exits by itself");
        assertTrue(fourth.stderr().contains("permanently removed from the cluster"), fourth::stderr);
        assertEquals(3, all.ok("member", "list").lines().count());
        all.ok("put", "after", "removal");
    }

    /** etcdctl's {@code endpoint status} table: ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, ... */
    private static boolean isLeader(CairnProcess p) {
        String[] columns = new Etcdctl(p.endpoint()).ok("endpoint", "status").trim().split(", ");
        return Boolean.parseBoolean(columns[4]);
    }
}
