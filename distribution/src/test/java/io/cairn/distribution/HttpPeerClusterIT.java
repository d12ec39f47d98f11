package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A cluster over HTTP peers alone ({@code --peer-transport http}): three {@code cairn} processes on
 * 127.0.0.1 take writes, lose their leader (SIGKILL), take more writes than the log keeps for catch-up
 * (snapshot count 50, so the killed member comes back from a snapshot sent over HTTP), get the killed
 * member back on its data dir, and then agree: every member holds every key, and HashKV is equal at a
 * common revision. The four storage × peer transport pairs run in-JVM in conformance-tests'
 * {@code PluginMatrixTest}, and as processes under faults in {@link ClusterFaultsIT} (the cluster
 * verification); this one also checks the http transport's own log of the snapshot it received.
 */
class HttpPeerClusterIT {

    private static final int BEFORE_KILL = 60;
    private static final int WHILE_DOWN = 150;
    private static final long CALL_TIMEOUT_S = 5;

    @ParameterizedTest(name = "{0} storage, {1} peers")
    @CsvSource({"rocksdb, http"})
    void aClusterSurvivesALeaderKillAndItsMembersAgree(String storage, String peers) throws Exception {
        try (FaultCluster cluster = new FaultCluster("matrix-" + storage + "-" + peers, 50, storage, peers)) {
            cluster.startAll();
            List<Client> memberClients = new ArrayList<>();
            try (Client client = Client.builder().endpoints(cluster.members().stream().map(FaultCluster.Member::clientUrl)
                    .toArray(String[]::new)).build()) {
                for (FaultCluster.Member m : cluster.members()) {
                    memberClients.add(Client.builder().endpoints(m.clientUrl()).retryMaxAttempts(0).build());
                }
                for (int i = 0; i < BEFORE_KILL; i++) {
                    put(client, i, cluster);
                }
                FaultCluster.Member leader = leader(cluster, memberClients);
                cluster.kill(leader);
                for (int i = BEFORE_KILL; i < BEFORE_KILL + WHILE_DOWN; i++) {
                    put(client, i, cluster);
                }
                cluster.start(leader);
                long endRevision = put(client, BEFORE_KILL + WHILE_DOWN, cluster);

                Map<String, Long> hashes = new HashMap<>();
                for (FaultCluster.Member m : cluster.members()) {
                    Client own = memberClients.get(m.index);
                    awaitRevision(own, endRevision, m, cluster);
                    long keys = own.getKVClient().get(bytes("mx/"), GetOption.builder().isPrefix(true).withCountOnly(true)
                            .withSerializable(true).build()).get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getCount();
                    assertEquals(BEFORE_KILL + WHILE_DOWN + 1, keys, m + " holds every key" + cluster.logs());
                    hashes.put(m.name, Integer.toUnsignedLong(own.getMaintenanceClient().hashKV(m.endpoint(), endRevision)
                            .get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getHash()));
                }
                assertEquals(1, hashes.values().stream().distinct().count(), "HashKV at " + endRevision + ": " + hashes
                        + cluster.logs());
                if (peers.equals("http")) {
                    assertTrue(leader.process.stderr().contains("snapshot from member"),
                            "the restarted member caught up from a snapshot" + cluster.logs());
                }
            } finally {
                memberClients.forEach(Client::close);
            }
        }
    }

    /** Puts key {@code i}, retrying through the leader change (a put is idempotent here); returns its revision. */
    private static long put(Client client, int i, FaultCluster cluster) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return client.getKVClient().put(bytes("mx/" + String.format("%04d", i)), bytes("v" + i))
                        .get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getHeader().getRevision();
            } catch (Exception e) {
                last = e;
                CairnProcess.sleep(100);
            }
        }
        throw new AssertionError("put " + i + " did not succeed within 30 s: " + last + cluster.logs(), last);
    }

    private static FaultCluster.Member leader(FaultCluster cluster, List<Client> memberClients) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (FaultCluster.Member m : cluster.members()) {
                try {
                    long leaderId = memberClients.get(m.index).getMaintenanceClient().statusMember(m.endpoint())
                            .get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getLeader();
                    for (FaultCluster.Member candidate : cluster.members()) {
                        if (leaderId != 0 && candidate.id() == leaderId) {
                            return candidate;
                        }
                    }
                } catch (Exception e) {
                    // not answering: ask the next
                }
            }
            CairnProcess.sleep(100);
        }
        throw new AssertionError("no member names a leader within 30 s" + cluster.logs());
    }

    private static void awaitRevision(Client own, long revision, FaultCluster.Member m, FaultCluster cluster) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long at = 0;
        while (System.nanoTime() < deadline) {
            try {
                at = own.getKVClient().get(bytes("mx/0000"), GetOption.builder().withSerializable(true).build())
                        .get(CALL_TIMEOUT_S, TimeUnit.SECONDS).getHeader().getRevision();
                if (at >= revision) {
                    return;
                }
            } catch (Exception e) {
                // still starting: retry
            }
            CairnProcess.sleep(100);
        }
        throw new AssertionError(m + " applied up to revision " + at + ", not " + revision + " within 30 s" + cluster.logs());
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }
}
