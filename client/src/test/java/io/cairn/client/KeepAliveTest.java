package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.server.CairnServer;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CairnClient#keepAlive}: a lease kept alive past its TTL, and the end of it. */
class KeepAliveTest {

    @TempDir
    Path dir;

    private CairnServer server;
    private CairnClient client;

    @BeforeEach
    void start() {
        server = TestServers.start(dir, 0);
        client = CairnClient.builder().endpoints(TestServers.endpoint(server)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void aKeptLeaseOutlivesItsTtlAndExpiresOnceLetGo() throws Exception {
        var lease = await(client.lease().grant(LeaseGrantRequest.of(2)));
        long ttl = lease.ttl(); // the server may raise a short TTL to its minimum
        Bytes key = Bytes.fromUtf8("kept");
        await(client.kv().put(PutRequest.of(key, Bytes.fromUtf8("v")).withLease(lease.id())));

        LeaseKeepAlive keeper = client.keepAlive(lease.id());
        Thread.sleep(TimeUnit.SECONDS.toMillis(3 * ttl)); // three TTLs: the lease would have expired twice over
        var alive = await(client.lease().timeToLive(LeaseTimeToLiveRequest.of(lease.id())));
        assertTrue(alive.ttl() > 0, "still alive after three TTLs: " + alive);
        assertEquals(1, await(client.kv().get(key)).count());
        assertEquals(lease.id(), keeper.lastResponse().orElseThrow().id());
        assertTrue(!keeper.done().isDone());

        keeper.close();
        await(keeper.done());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl + 20);
        while (await(client.kv().get(key)).count() != 0) {
            assertTrue(System.nanoTime() < deadline, "the lease never expired once let go");
            Thread.sleep(200);
        }
    }

    @Test
    void aRevokedLeaseEndsItsKeepAliveWithLeaseNotFound() {
        var lease = await(client.lease().grant(LeaseGrantRequest.of(30)));
        LeaseKeepAlive keeper = client.keepAlive(lease.id());
        await(client.lease().revoke(new LeaseRevokeRequest(lease.id())));
        // the next renewal (within a third of the TTL) is answered "no such lease"
        ExecutionException ended = assertThrows(ExecutionException.class,
                () -> keeper.done().get(30, TimeUnit.SECONDS));
        CairnException cause = assertInstanceOf(CairnException.class, ended.getCause());
        assertTrue(cause.is(ErrorCode.LEASE_NOT_FOUND), cause.toString());
    }
}
