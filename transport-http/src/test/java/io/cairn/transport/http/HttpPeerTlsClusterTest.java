package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.api.Bytes;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.server.CairnServer;
import io.cairn.spi.transport.TlsConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members whose peer traffic is HTTP over mutual TLS ({@code https} peer URLs, etcd's
 * {@code --peer-*} flags as {@link TlsConfig}), certificates made at run time: they elect a leader,
 * replicate, and a member that was down catches up (it missed more entries than the log keeps at
 * snapshot count 10, so from a snapshot sent over https).
 */
class HttpPeerTlsClusterTest {

    @TempDir
    Path dir;

    private final List<CairnServer> running = new ArrayList<>();

    @AfterEach
    void closeAll() {
        running.forEach(CairnServer::close);
    }

    @Test
    void membersReplicateAndCatchUpOverHttpsPeers() throws Exception {
        TestPki pki = new TestPki(dir, "peers");
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("t" + i, List.of(URI.create("https://127.0.0.1:" + freePort())));
        }
        List<CairnServer.Builder> builders = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            TestPki.Issued own = pki.issue("t" + i, TestPki.KeyForm.EC_PKCS8);
            TlsConfig tls = TlsConfig.of(own.certificate(), own.key()).withClientCertAuth(pki.ca());
            List<URI> urls = initial.get("t" + i);
            builders.add(CairnServer.builder().name("t" + i).dataDir(dir.resolve("t" + i)).storage("rocksdb")
                    .peerUrls(urls).listenPeerUrls(urls).initialCluster(initial).snapshotCount(10)
                    .peerTransport("http").peerTls(Optional.of(tls)));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (CairnServer.Builder builder : builders) {
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        List<CairnServer> members = new ArrayList<>();
        for (CompletableFuture<CairnServer> member : starting) {
            members.add(member.join());
        }
        running.addAll(members);
        await("a leader", () -> members.stream().filter(CairnServer::isLeader).count() == 1);
        CairnServer leader = members.stream().filter(CairnServer::isLeader).findFirst().orElseThrow();
        int down = members.indexOf(members.stream().filter(m -> !m.isLeader()).findFirst().orElseThrow());
        members.get(down).close();
        running.remove(members.get(down));
        for (int i = 0; i < 60; i++) {
            leader.client().kv().put(PutRequest.of(Bytes.fromUtf8("k" + i), Bytes.fromUtf8("v" + i))).get(10, TimeUnit.SECONDS);
        }
        CairnServer back = builders.get(down).start();
        running.add(back);
        await("the restarted member has k59", () -> {
            var kvs = back.client().kv().range(RangeRequest.of(Bytes.fromUtf8("k59")).withSerializable(true)).join().kvs();
            return !kvs.isEmpty() && kvs.get(0).value().toUtf8().equals("v59");
        });
        assertEquals(60, back.client().kv().range(RangeRequest.prefix(Bytes.fromUtf8("k")).withSerializable(true)).join().count(),
                "the member that was down holds every key");
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
