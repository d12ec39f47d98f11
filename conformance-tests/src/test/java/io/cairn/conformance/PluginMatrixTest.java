package io.cairn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.api.Bytes;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.maintenance.HashKVRequest;
import io.cairn.server.CairnServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plugin matrix: every storage × peer transport pair runs a 3-member cluster in this JVM on
 * 127.0.0.1 (real plugins, real sockets), takes writes, restarts a follower after more writes than the
 * log keeps for catch-up (snapshot count 20, so it comes back from a snapshot), takes more writes, and
 * its members then agree: every key everywhere, and HashKV equal at a common revision.
 */
@Timeout(120)
class PluginMatrixTest {

    @TempDir
    Path dir;

    private final List<CairnServer> running = new ArrayList<>();

    @AfterEach
    void closeAll() {
        running.forEach(CairnServer::close);
    }

    @ParameterizedTest(name = "{0} storage, {1} peers")
    @CsvSource({"rocksdb, grpc", "rocksdb, http", "xodus, grpc", "xodus, http"})
    void aClusterRestartsAMemberAndItsMembersAgree(String storage, String peers) throws Exception {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("m" + i, List.of(URI.create("http://127.0.0.1:" + freePort())));
        }
        List<CairnServer.Builder> builders = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<URI> own = initial.get("m" + i);
            builders.add(CairnServer.builder().name("m" + i).dataDir(dir.resolve("m" + i)).storage(storage)
                    .peerUrls(own).listenPeerUrls(own).initialCluster(initial).initialClusterToken("matrix-" + storage + "-" + peers)
                    .snapshotCount(20).peerTransport(peers));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (CairnServer.Builder builder : builders) {
            // a thread each: a member's start waits for a leader, which needs the others
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        List<CairnServer> members = new ArrayList<>();
        for (CompletableFuture<CairnServer> member : starting) {
            members.add(member.join());
        }
        running.addAll(members);
        await("a leader", () -> members.stream().filter(CairnServer::isLeader).count() == 1);

        int key = 0;
        for (; key < 30; key++) {
            put(members, key);
        }
        int restarted = members.indexOf(members.stream().filter(m -> !m.isLeader()).findFirst().orElseThrow());
        members.get(restarted).close();
        running.remove(members.get(restarted));
        for (; key < 130; key++) {
            put(members, key);
        }
        CairnServer back = builders.get(restarted).start();
        running.add(back);
        members.set(restarted, back);
        for (; key < 150; key++) {
            put(members, key);
        }
        long revision = put(members, key++);

        List<Long> hashes = new ArrayList<>();
        for (CairnServer member : members) {
            await(member.name() + " applied revision " + revision, () -> member.client().kv()
                    .range(RangeRequest.of(Bytes.fromUtf8("mx/0000")).withSerializable(true)).join().header().revision() >= revision);
            long count = member.client().kv().range(RangeRequest.prefix(Bytes.fromUtf8("mx/")).withSerializable(true)).join().count();
            assertEquals(key, count, member.name() + " holds every key (" + storage + " storage, " + peers + " peers)");
            hashes.add(member.client().maintenance().hashKV(new HashKVRequest(revision)).join().hash());
        }
        assertEquals(1, hashes.stream().distinct().count(), "HashKV at revision " + revision + " (" + storage + " storage, "
                + peers + " peers): " + hashes);
    }

    /** Puts key {@code i} through some running member, retrying through a leader change; returns its revision. */
    private static long put(List<CairnServer> members, int i) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            for (CairnServer member : members) {
                try {
                    return member.client().kv().put(PutRequest.of(Bytes.fromUtf8(String.format("mx/%04d", i)),
                            Bytes.fromUtf8("v" + i))).get(5, TimeUnit.SECONDS).header().revision();
                } catch (Exception e) {
                    last = e instanceof RuntimeException r ? r : new CompletionException(e);
                }
            }
        }
        throw new AssertionError("put " + i + " failed on every member for 30 s", last);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
