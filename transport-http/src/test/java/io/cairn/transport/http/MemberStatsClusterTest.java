package io.cairn.transport.http;

import static io.cairn.transport.http.MetricsTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.api.Bytes;
import io.cairn.api.kv.PutRequest;
import io.cairn.server.CairnServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's {@code /v2/stats/self} and {@code /v2/stats/leader} on a three-member cluster (HTTP peers and
 * clients), and {@code etcd_server_proposals_failed_total} counting a proposal that cannot commit once the
 * leader lost its quorum.
 */
class MemberStatsClusterTest {

    @TempDir
    Path dir;

    private final List<CairnServer> running = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

    @AfterEach
    void closeAll() {
        running.forEach(CairnServer::close);
    }

    @Test
    void selfAndLeaderStatsThenAFailedProposal() throws Exception {
        Map<String, List<URI>> initial = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            initial.put("s" + i, List.of(URI.create("http://127.0.0.1:" + freePort())));
        }
        List<CompletableFuture<CairnServer>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<URI> peer = initial.get("s" + i);
            CairnServer.Builder builder = CairnServer.builder().name("s" + i).dataDir(dir.resolve("s" + i))
                    .storage("rocksdb").peerUrls(peer).listenPeerUrls(peer).initialCluster(initial)
                    .peerTransport("http").clientUrls(List.of(URI.create("http://127.0.0.1:0")))
                    .transports(List.of("http"));
            starting.add(CompletableFuture.supplyAsync(builder::start, r -> Thread.ofPlatform().daemon().start(r)));
        }
        List<CairnServer> members = new ArrayList<>();
        for (CompletableFuture<CairnServer> member : starting) {
            members.add(member.join());
        }
        running.addAll(members);
        await("a leader", () -> members.stream().filter(CairnServer::isLeader).count() == 1);
        CairnServer leader = members.stream().filter(CairnServer::isLeader).findFirst().orElseThrow();
        List<CairnServer> followers = members.stream().filter(m -> m != leader).toList();
        for (int i = 0; i < 10; i++) {
            leader.client().kv().put(PutRequest.of(Bytes.fromUtf8("k" + i), Bytes.fromUtf8("v"))).get(20, TimeUnit.SECONDS);
        }
        String leaderId = Long.toHexString(leader.memberId());

        for (CairnServer member : members) {
            await("member " + member.name() + " knows the leader", () -> leaderId.equals(
                    json(get(member, "/v2/stats/self")).path("leaderInfo").path("leader").asText()));
            HttpResponse<String> response = get(member, "/v2/stats/self");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode self = json(response);
            assertEquals(member.name(), self.path("name").asText(), response.body());
            assertEquals(Long.toHexString(member.memberId()), self.path("id").asText(), response.body());
            assertEquals(member == leader ? "StateLeader" : "StateFollower", self.path("state").asText(), response.body());
            assertTrue(self.path("startTime").asText().endsWith("Z"), response.body());
            assertTrue(self.path("leaderInfo").path("uptime").asText().endsWith("s"), response.body());
            if (member == leader) {
                assertTrue(self.path("sendAppendRequestCnt").asLong() > 0, response.body());
            } else {
                assertTrue(self.path("recvAppendRequestCnt").asLong() > 0, response.body());
            }
        }

        HttpResponse<String> leaderStats = get(leader, "/v2/stats/leader");
        assertEquals(200, leaderStats.statusCode(), leaderStats.body());
        JsonNode stats = json(leaderStats);
        assertEquals(leaderId, stats.path("leader").asText());
        for (CairnServer follower : followers) {
            JsonNode figures = stats.path("followers").path(Long.toHexString(follower.memberId()));
            assertTrue(figures.path("counts").path("success").asLong() > 0, leaderStats.body());
            assertTrue(figures.path("counts").has("fail"), leaderStats.body());
            JsonNode latency = figures.path("latency");
            assertTrue(latency.path("average").asDouble() > 0, leaderStats.body());
            assertTrue(latency.path("minimum").asDouble() <= latency.path("maximum").asDouble(), leaderStats.body());
            assertTrue(latency.has("current") && latency.has("standardDeviation"), leaderStats.body());
        }
        HttpResponse<String> notLeader = get(followers.get(0), "/v2/stats/leader");
        assertEquals(403, notLeader.statusCode(), notLeader.body());
        assertEquals("{\"message\":\"not current leader\"}", notLeader.body());

        for (CairnServer member : members) {
            String metrics = get(member, "/metrics").body();
            assertTrue(value(metrics, "etcd_server_leader_changes_seen_total").orElseThrow() >= 1, metrics);
        }
        assertEquals(0, value(get(leader, "/metrics").body(), "etcd_server_proposals_failed_total").orElseThrow());

        // the leader loses its quorum: a proposal cannot commit and fails, and is counted
        for (CairnServer follower : followers) {
            follower.close();
            running.remove(follower);
        }
        ExecutionException failed = assertThrows(ExecutionException.class, () -> leader.client().kv()
                .put(PutRequest.of(Bytes.fromUtf8("lost"), Bytes.fromUtf8("v"))).get(60, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof io.cairn.api.CairnException, String.valueOf(failed.getCause()));
        String metrics = get(leader, "/metrics").body();
        assertTrue(value(metrics, "etcd_server_proposals_failed_total").orElseThrow() >= 1, metrics);
    }

    private HttpResponse<String> get(CairnServer member, String path) {
        try {
            return client.send(HttpRequest.newBuilder(member.clientUrls().get(0).resolve(path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HttpServerFixture.json(response);
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
