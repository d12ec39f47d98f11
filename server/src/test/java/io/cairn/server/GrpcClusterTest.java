package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.cluster.Member;
import io.cairn.api.cluster.MemberAddRequest;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Three members over the real gRPC peer transport (transport-grpc) on 127.0.0.1. */
class GrpcClusterTest {

    @TempDir
    Path dir;

    private final List<CairnServer> servers = new ArrayList<>();
    private final List<URI> peerUrls = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(CairnServer::close);
    }

    private static Bytes b(String s) {
        return Bytes.fromUtf8(s);
    }

    /** A free port now (closed again; the member binds it a moment later). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private CairnServer.Builder member(int i, Map<String, List<URI>> initial) {
        URI url = peerUrls.get(i - 1);
        return CairnServer.builder().name("g" + i).dataDir(dir.resolve("g" + i)).storage("rocksdb")
                .peerUrls(List.of(url)).listenPeerUrls(List.of(url)).initialCluster(initial).snapshotCount(25)
                .peerTransport("grpc");
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

    private static String localValue(CairnServer server, String key) {
        RangeResponse r = server.client().kv().range(RangeRequest.of(b(key)).withSerializable(true)).join();
        return r.kvs().isEmpty() ? null : r.kvs().get(0).value().toUtf8();
    }

    @Test
    void threeMembersReplicateAndANewMemberJoinsFromAStreamedSnapshot() throws IOException {
        for (int i = 0; i < 4; i++) {
            peerUrls.add(URI.create("http://127.0.0.1:" + freePort()));
        }
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("g" + i, List.of(peerUrls.get(i - 1)));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            CairnServer.Builder builder = member(i, initial);
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r))); // a thread each: every start waits for the others
        }
        starting.forEach(f -> servers.add(f.join()));
        await("one leader", () -> servers.stream().filter(CairnServer::isLeader).count() == 1);
        CairnServer follower = servers.stream().filter(s -> !s.isLeader()).findFirst().orElseThrow();
        CairnServer other = servers.stream().filter(s -> !s.isLeader() && s != follower).findFirst().orElseThrow();
        Cairn client = follower.client();
        for (int i = 0; i < 100; i++) {
            client.kv().put(PutRequest.of(b("k" + i), b("v" + i))).join();
        }
        assertEquals("v99", other.client().kv().range(RangeRequest.of(b("k99"))).join().kvs().get(0).value().toUtf8());
        await("published", () -> client.cluster().memberList(new MemberListRequest(true)).join().members().stream()
                .noneMatch(m -> m.name().isEmpty()));

        client.cluster().memberAdd(MemberAddRequest.learner(List.of(peerUrls.get(3).toString()))).join();
        Map<String, List<URI>> all = new LinkedHashMap<>(initial);
        all.put("g4", List.of(peerUrls.get(3)));
        CairnServer joiner = member(4, all).initialClusterState(CairnServer.InitialClusterState.EXISTING).start();
        servers.add(joiner);
        await("the new member has everything", () -> "v99".equals(localValue(joiner, "k99")));
        assertTrue(joiner.peerNetwork().snapshotsReceived() >= 1, "it joined from a snapshot over gRPC");
        List<Member> members = joiner.client().cluster().memberList(new MemberListRequest(false)).join().members();
        assertEquals(4, members.size());
        assertEquals("grpc", joiner.peerNetwork().endpoint().transportId());
    }
}
