package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static io.cairn.client.TestServers.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;
import io.cairn.server.CairnServer;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover and retries between endpoints. A one-member cluster cannot fail over, and several
 * members of one cluster do not run in one JVM yet, so these tests use two independent members, A
 * and B, each with its own data: what a read returns shows which member answered. That tests the
 * client's mechanics (which endpoint, which calls are sent again), not a cluster's consistency.
 */
class FailoverTest {

    @TempDir
    Path dirA;

    @TempDir
    Path dirB;

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    private static String who(CairnClient client) {
        return await(client.kv().get(b("who"))).kvs().get(0).value().toUtf8();
    }

    @Test
    void aReadMovesToTheNextMemberWhenTheCurrentOneIsGone() {
        CairnServer a = TestServers.start(dirA, 0);
        try (CairnServer bServer = TestServers.start(dirB, 0)) {
            await(a.client().kv().put(b("who"), b("A")));
            await(bServer.client().kv().put(b("who"), b("B")));
            try (CairnClient client = CairnClient.builder()
                    .endpoints(TestServers.endpoint(a), TestServers.endpoint(bServer))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
                assertEquals("A", who(client));
                assertEquals(a.clientUrls().get(0), client.currentEndpoint());
                a.close();
                assertEquals("B", who(client), "the read was sent again, to B");
                assertEquals(bServer.clientUrls().get(0), client.currentEndpoint());
                // and the client stays there
                await(client.kv().put(b("after"), b("1")));
                assertEquals(1, await(bServer.client().kv().get(b("after"))).count());
            }
        } finally {
            a.close();
        }
    }

    @Test
    void aWriteThatCouldNotConnectIsSentToTheNextMember() throws Exception {
        int deadPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort(); // closed below: nothing listens there
        }
        try (CairnServer bServer = TestServers.start(dirB, 0);
             CairnClient client = CairnClient.builder()
                     .endpoints("http://127.0.0.1:" + deadPort, TestServers.endpoint(bServer))
                     .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            var put = await(client.kv().put(b("k"), b("v")));
            assertEquals(bServer.memberId(), put.header().memberId());
            assertEquals("v", await(bServer.client().kv().get(b("k"))).kvs().get(0).value().toUtf8());
            assertEquals(URI.create(TestServers.endpoint(bServer)), client.currentEndpoint());
        }
    }

    @Test
    void withNoMemberLeftACallFailsUnavailableAfterItsAttempts() throws Exception {
        int deadPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort();
        }
        try (CairnClient client = CairnClient.builder().endpoints("127.0.0.1:" + deadPort)
                .maxAttempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
            CairnException read = failure(client.kv().get(b("k")));
            assertEquals(StatusCode.UNAVAILABLE, read.status());
            CairnException write = failure(client.kv().put(b("k"), b("v")));
            assertEquals(StatusCode.UNAVAILABLE, write.status());
        }
    }
}
