package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.lock.LockResponse;
import io.etcd.jetcd.options.GetOption;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's {@code etcdctl lock} and {@code etcdctl elect} (which run etcd's {@code clientv3/concurrency}
 * on the KV, watch and lease services) and jetcd's lock and election clients (which call Cairn's
 * v3lock and v3election services) against one packaged server process: they queue in the same line,
 * because both use etcd's key layout {@code <name>/<lease id in hex>}.
 */
class LockElectIT {

    private static final long TIMEOUT_SECONDS = 30;
    private static final Duration LINES_TIMEOUT = Duration.ofSeconds(30);

    private static CairnProcess server;
    private static Etcdctl etcdctl;
    private static Client client;

    @BeforeAll
    static void start() {
        Etcdctl.find();
        server = CairnProcess.start(CairnProcess.newDataDir("lock-elect"));
        etcdctl = new Etcdctl(server.endpoint());
        client = Client.builder().endpoints(server.clientUrl()).retryMaxDuration(Duration.ofSeconds(5)).build();
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

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static long keysUnder(String prefix) throws Exception {
        return await(client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())).getCount();
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + TIMEOUT_SECONDS + " s: " + what);
            CairnProcess.sleep(20);
        }
    }

    private static void untilKeysUnder(String prefix, long count) {
        eventually(count + " keys under " + prefix, () -> {
            try {
                return keysUnder(prefix) == count;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void etcdctlLockExcludesJetcdUntilItsHolderIsKilledAndItsLeaseRunsOut() throws Exception {
        try (CairnProcess.Background holder = etcdctl.background("lock", "--ttl=3", "it/lock-killed")) {
            List<String> held = holder.awaitLines(1, LINES_TIMEOUT);
            assertTrue(held.get(0).startsWith("it/lock-killed/"), "etcdctl prints its lock key: " + held);
            long lease = await(client.getLeaseClient().grant(30)).getID();
            CompletableFuture<LockResponse> waiting = client.getLockClient().lock(bytes("it/lock-killed"), lease);
            untilKeysUnder("it/lock-killed/", 2);
            assertFalse(waiting.isDone(), "jetcd waits while etcdctl holds the lock");

            holder.kill(); // a crash: nothing is unlocked; the session's lease runs out after its TTL
            LockResponse acquired = await(waiting);
            assertEquals("it/lock-killed/" + Long.toHexString(lease), acquired.getKey().toString(UTF_8));
            assertEquals(1, keysUnder("it/lock-killed/"));
            await(client.getLockClient().unlock(acquired.getKey()));
        }
    }

    @Test
    void jetcdsLockExcludesEtcdctlUntilItsLeaseIsRevoked() throws Exception {
        long lease = await(client.getLeaseClient().grant(30)).getID();
        LockResponse held = await(client.getLockClient().lock(bytes("it/lock-revoked"), lease));
        try (CairnProcess.Background waiter = etcdctl.background("lock", "--ttl=10", "it/lock-revoked")) {
            untilKeysUnder("it/lock-revoked/", 2);
            assertEquals("", waiter.stdout(), "etcdctl waits while jetcd holds the lock");
            await(client.getLeaseClient().revoke(lease)); // the holder's lease goes, and the lock with it
            List<String> acquired = waiter.awaitLines(1, LINES_TIMEOUT);
            assertTrue(acquired.get(0).startsWith("it/lock-revoked/"), acquired.toString());
            assertFalse(acquired.get(0).equals(held.getKey().toString(UTF_8)));
            waiter.terminate(); // SIGTERM: etcdctl unlocks
            untilKeysUnder("it/lock-revoked/", 0);
        }
    }

    @Test
    void etcdctlAndJetcdTakeTurnsOnOneLockInArrivalOrder() throws Exception {
        long lease = await(client.getLeaseClient().grant(30)).getID();
        try (CairnProcess.Background first = etcdctl.background("lock", "it/lock-turns")) {
            first.awaitLines(1, LINES_TIMEOUT);
            CompletableFuture<LockResponse> second = client.getLockClient().lock(bytes("it/lock-turns"), lease);
            untilKeysUnder("it/lock-turns/", 2);
            try (CairnProcess.Background third = etcdctl.background("lock", "it/lock-turns")) {
                untilKeysUnder("it/lock-turns/", 3);
                first.terminate(); // unlocks: the next in line is jetcd, not the later etcdctl
                LockResponse held = await(second);
                assertEquals("", third.stdout(), "the third waits for the second");
                await(client.getLockClient().unlock(held.getKey()));
                assertTrue(third.awaitLines(1, LINES_TIMEOUT).get(0).startsWith("it/lock-turns/"), "then the third holds it");
                third.terminate();
            }
        }
        untilKeysUnder("it/lock-turns/", 0);
    }

    @Test
    void etcdctlElectAndJetcdCampaignInOneElectionAndObserversSeeEveryLeader() throws Exception {
        try (CairnProcess.Background observer = etcdctl.background("elect", "-l", "it/elect");
             CairnProcess.Background leader = etcdctl.background("elect", "it/elect", "from-etcdctl")) {
            List<String> won = leader.awaitLines(2, LINES_TIMEOUT);
            assertTrue(won.get(0).startsWith("it/elect/"), won.toString());
            assertEquals("from-etcdctl", won.get(1));
            assertEquals("from-etcdctl", await(client.getElectionClient().leader(bytes("it/elect"))).getKv().getValue().toString(UTF_8));
            assertEquals(List.of(won.get(0), "from-etcdctl"), observer.awaitLines(2, LINES_TIMEOUT));

            long lease = await(client.getLeaseClient().grant(30)).getID();
            CompletableFuture<CampaignResponse> campaign = client.getElectionClient().campaign(bytes("it/elect"), lease,
                    bytes("from-jetcd"));
            untilKeysUnder("it/elect/", 2);
            assertFalse(campaign.isDone(), "jetcd waits while etcdctl leads");

            leader.terminate(); // SIGTERM: etcdctl resigns
            CampaignResponse next = await(campaign);
            String jetcdKey = "it/elect/" + Long.toHexString(lease);
            assertEquals(jetcdKey, next.getLeader().getKey().toString(UTF_8));
            assertEquals(List.of(jetcdKey, "from-jetcd"), observer.awaitLines(4, LINES_TIMEOUT).subList(2, 4));

            await(client.getElectionClient().proclaim(next.getLeader(), bytes("proclaimed")));
            assertEquals(List.of(jetcdKey, "proclaimed"), observer.awaitLines(6, LINES_TIMEOUT).subList(4, 6));

            try (CairnProcess.Background challenger = etcdctl.background("elect", "it/elect", "challenger")) {
                untilKeysUnder("it/elect/", 2);
                assertEquals("", challenger.stdout(), "etcdctl waits while jetcd leads");
                await(client.getLeaseClient().revoke(lease)); // the leader's lease goes
                List<String> challengerWon = challenger.awaitLines(2, LINES_TIMEOUT);
                assertEquals("challenger", challengerWon.get(1));
                assertEquals(List.of(challengerWon.get(0), "challenger"), observer.awaitLines(8, LINES_TIMEOUT).subList(6, 8));
                challenger.terminate();
            }
            assertTrue(observer.isAlive(), "the observer follows the election across leaders");
        }
        untilKeysUnder("it/elect/", 0);
    }
}
