package io.cairn.server.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.server.CairnServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.options.GetOption;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock and election services of an embedded member (real RocksDB, real gRPC endpoint), called by
 * jetcd's Lock and Election clients, which speak etcd's v3lock and v3election protocols. Every test
 * uses its own name.
 */
class LockElectionJetcdTest {

    private static final long TIMEOUT = 20;

    @TempDir
    static Path dir;
    private static CairnServer server;
    private static Client client;

    @BeforeAll
    static void start() {
        server = CairnServer.builder().dataDir(dir).storage("rocksdb")
                .clientUrls(List.of(URI.create("http://127.0.0.1:0"))).start();
        client = Client.builder().endpoints(server.clientUrls().toArray(URI[]::new))
                .retryMaxDuration(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ByteSequence bs(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT, TimeUnit.SECONDS);
    }

    private static long lease(long ttl) throws Exception {
        return await(client.getLeaseClient().grant(ttl)).getID();
    }

    private static long createRevision(ByteSequence key) throws Exception {
        return await(client.getKVClient().get(key)).getKvs().get(0).getCreateRevision();
    }

    /** Whether {@code future} is still pending once every earlier write has been applied and read back. */
    private static boolean stillWaiting(CompletableFuture<?> future) throws Exception {
        await(client.getKVClient().put(bs("barrier"), bs("x")));
        await(client.getKVClient().get(bs("barrier")));
        return !future.isDone();
    }

    @Test
    void aLockIsHeldByOneLeaseAtATimeInArrivalOrder() throws Exception {
        long a = lease(30);
        long b = lease(30);
        long c = lease(30);
        LockResponse first = await(client.getLockClient().lock(bs("jl/exclusive"), a));
        assertEquals("jl/exclusive/" + Long.toHexString(a), text(first.getKey()), "etcd's key layout");
        long firstToken = createRevision(first.getKey());
        CompletableFuture<LockResponse> second = client.getLockClient().lock(bs("jl/exclusive"), b);
        assertTrue(stillWaiting(second), "the second locker waits while the first holds the lock");
        CompletableFuture<LockResponse> third = client.getLockClient().lock(bs("jl/exclusive"), c);
        assertTrue(stillWaiting(third));

        await(client.getLockClient().unlock(first.getKey()));
        LockResponse secondHeld = await(second);
        assertEquals("jl/exclusive/" + Long.toHexString(b), text(secondHeld.getKey()));
        assertTrue(stillWaiting(third), "first come, first served: the third still waits");
        assertTrue(createRevision(secondHeld.getKey()) > firstToken, "the create revision orders holders: a fencing token");

        await(client.getLeaseClient().revoke(b)); // a holder whose lease goes releases the lock
        LockResponse thirdHeld = await(third);
        assertEquals("jl/exclusive/" + Long.toHexString(c), text(thirdHeld.getKey()));
        await(client.getLockClient().unlock(thirdHeld.getKey()));
        assertEquals(0, await(client.getKVClient().get(bs("jl/exclusive/"),
                GetOption.builder().isPrefix(true).build())).getCount(), "nothing is left under the lock's name");
    }

    @Test
    void lockingTwiceWithOneLeaseIsOneAcquisition() throws Exception {
        long a = lease(30);
        LockResponse once = await(client.getLockClient().lock(bs("jl/reentrant"), a));
        LockResponse twice = await(client.getLockClient().lock(bs("jl/reentrant"), a));
        assertEquals(text(once.getKey()), text(twice.getKey()));
        await(client.getLockClient().unlock(once.getKey()));
        await(client.getLockClient().unlock(once.getKey())); // unlocking a lock no longer held succeeds
    }

    @Test
    void aLockWithAnUnknownLeaseFailsWithEtcdsError() {
        var failure = assertThrows(ExecutionException.class,
                () -> await(client.getLockClient().lock(bs("jl/nolease"), 0x7777)));
        assertTrue(String.valueOf(failure.getCause().getMessage()).contains("etcdserver: requested lease not found"),
                failure.getCause().toString());
    }

    @Test
    void aWaiterWhoseLeaseRunsOutIsNotToldItHoldsTheLock() throws Exception {
        long holder = lease(30);
        long waiter = lease(30);
        LockResponse held = await(client.getLockClient().lock(bs("jl/expired"), holder));
        CompletableFuture<LockResponse> waiting = client.getLockClient().lock(bs("jl/expired"), waiter);
        assertTrue(stillWaiting(waiting));
        await(client.getLeaseClient().revoke(waiter)); // the waiter's key goes with its lease
        await(client.getLockClient().unlock(held.getKey()));
        var failure = assertThrows(ExecutionException.class, () -> await(waiting));
        assertTrue(String.valueOf(failure.getCause().getMessage()).contains("mutex: session is expired"),
                failure.getCause().toString());
    }

    @Test
    void cancellingAWaitingLockWithdrawsItsKey() throws Exception {
        io.cairn.api.Cairn cairn = server.client();
        long a = lease(30);
        long b = lease(30);
        io.cairn.api.Bytes name = io.cairn.api.Bytes.fromUtf8("jl/cancel");
        var held = cairn.lock().lock(new io.cairn.api.lock.LockRequest(name, a)).get(TIMEOUT, TimeUnit.SECONDS);
        var waiting = cairn.lock().lock(new io.cairn.api.lock.LockRequest(name, b));
        ByteSequence waiterKey = bs("jl/cancel/" + Long.toHexString(b));
        while (await(client.getKVClient().get(waiterKey)).getCount() == 0) {
            Thread.sleep(10); // until the waiter has queued
        }
        assertTrue(waiting.cancel(false));
        while (await(client.getKVClient().get(waiterKey)).getCount() != 0) {
            Thread.sleep(10); // the withdrawal is a delete through Raft
        }
        cairn.lock().unlock(new io.cairn.api.lock.UnlockRequest(held.key())).get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(0, await(client.getKVClient().get(bs("jl/cancel/"), GetOption.builder().isPrefix(true).build())).getCount());
    }

    @Test
    void anElectionHasOneLeaderWhoseValueObserversFollow() throws Exception {
        Election election = client.getElectionClient();
        ByteSequence name = bs("je/one");
        assertInstanceOf(NoLeaderException.class,
                assertThrows(ExecutionException.class, () -> await(election.leader(name))).getCause());

        BlockingQueue<String> observed = new LinkedBlockingQueue<>();
        election.observe(name, new Election.Listener() {
            @Override public void onNext(LeaderResponse response) {
                observed.add(text(response.getKv().getValue()));
            }
            @Override public void onError(Throwable throwable) {
                observed.add("error: " + throwable);
            }
            @Override public void onCompleted() {
                observed.add("completed");
            }
        });

        long a = lease(30);
        long b = lease(30);
        CampaignResponse won = await(election.campaign(name, a, bs("alpha")));
        assertEquals("je/one/" + Long.toHexString(a), text(won.getLeader().getKey()));
        assertEquals(createRevision(won.getLeader().getKey()), won.getLeader().getRevision());
        assertEquals("alpha", observed.poll(TIMEOUT, TimeUnit.SECONDS));

        CompletableFuture<CampaignResponse> second = election.campaign(name, b, bs("beta"));
        assertTrue(stillWaiting(second), "one leader at a time");
        assertEquals("alpha", text(await(election.leader(name)).getKv().getValue()));

        await(election.proclaim(won.getLeader(), bs("alpha-2")));
        assertEquals("alpha-2", observed.poll(TIMEOUT, TimeUnit.SECONDS));
        assertEquals("alpha-2", text(await(election.leader(name)).getKv().getValue()));

        await(election.resign(won.getLeader()));
        CampaignResponse next = await(second);
        assertEquals("je/one/" + Long.toHexString(b), text(next.getLeader().getKey()));
        assertEquals("beta", observed.poll(TIMEOUT, TimeUnit.SECONDS));
        assertEquals("beta", text(await(election.leader(name)).getKv().getValue()));

        // the former leader's key no longer leads: it can neither proclaim nor displace the new leader
        assertInstanceOf(NotLeaderException.class, assertThrows(ExecutionException.class,
                () -> await(election.proclaim(won.getLeader(), bs("stale")))).getCause());
        await(election.resign(won.getLeader())); // resigning again changes nothing
        assertEquals("beta", text(await(election.leader(name)).getKv().getValue()));

        await(client.getLeaseClient().revoke(b)); // leadership goes with the leader's lease
        assertInstanceOf(NoLeaderException.class,
                assertThrows(ExecutionException.class, () -> await(election.leader(name))).getCause());
        assertFalse(observed.stream().anyMatch(s -> s.startsWith("error")), observed.toString());
    }

    @Test
    void campaigningAgainWithTheSameLeaseProclaimsTheNewValue() throws Exception {
        Election election = client.getElectionClient();
        ByteSequence name = bs("je/again");
        long a = lease(30);
        CampaignResponse first = await(election.campaign(name, a, bs("v1")));
        CampaignResponse again = await(election.campaign(name, a, bs("v2")));
        assertEquals(first.getLeader().getRevision(), again.getLeader().getRevision());
        assertEquals("v2", text(await(election.leader(name)).getKv().getValue()));
        await(election.resign(again.getLeader()));
    }
}
