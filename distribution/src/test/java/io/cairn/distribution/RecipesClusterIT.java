package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.maintenance.StatusResponse;
import io.cairn.client.CairnClient;
import io.cairn.recipes.DistributedQueue;
import io.cairn.recipes.Election;
import io.cairn.recipes.LeaderLatch;
import io.cairn.recipes.Mutex;
import io.cairn.recipes.ServiceInstance;
import io.cairn.recipes.ServiceRegistry;
import io.cairn.recipes.Session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cairn's recipes, through Cairn's own client ({@link CairnClient}, every member as an endpoint, each
 * client starting at a different one), against three real {@code cairn} processes whose Raft leader is
 * killed (SIGKILL) and restarted while the recipes are in use; holders that die are separate JVMs
 * ({@link RecipeHolder}) killed with SIGKILL, so their leases run out as after a crash.
 * <ul>
 *   <li>{@link Mutex}: a killed holder's lock passes on once its lease expires; then several clients
 *       contend while the leader is killed: the holds recorded by the test never overlap in time, their
 *       fencing tokens strictly increase, and a counter updated read-modify-write under the lock loses no
 *       increment.
 *   <li>{@link DistributedQueue}: producers on different members, consumers on others; every item whose
 *       enqueue was acknowledged is taken exactly once (none twice, none lost, unless a take itself failed
 *       with an unknown outcome: counted and bounded), FIFO per producer.
 *   <li>{@link Election} / {@link LeaderLatch}: the leader (a separate process) is killed, a latch in
 *       this JVM takes over and the observer sees it; the Raft leader is killed meanwhile; no write
 *       guarded by an older leader's key lands after a newer leader's.
 *   <li>{@link ServiceRegistry}: instances registered through different members (one while a member is
 *       down) are all seen by watchers on other members; a killed instance drops out within its TTL.
 * </ul>
 * Under a minute and a half by default; {@code -Dcairn.faults.seconds=N} repeats the contended-lock
 * leader kills until N seconds have passed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecipesClusterIT {

    /** For holders that die: short, so the test waits little for their leases. */
    private static final int DYING_TTL_SECONDS = 3;
    /** For the processes (election leader, registered instance) that outlive a Raft leader kill before they are killed. */
    private static final int OUTLIVING_TTL_SECONDS = 5;
    /** For parties that live through a leader kill: long enough to outlast an election and a failover. */
    private static final Duration LIVING_TTL = Duration.ofSeconds(10);
    /** The server's expiry check and a leader change may add to a TTL before a dead lease is revoked. */
    private static final long EXPIRY_SLACK_MS = 8_000;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final String LOCK = "it/locks/mutex";
    private static final String ELECTION = "it/elections/scheduler";
    private static final String SERVICES = "it/services";

    private FaultCluster cluster;
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    /** The holder processes, started together before the tests and told to go one by one. */
    private CairnProcess.Background lockHolder;
    private CairnProcess.Background leaderProcess;
    private CairnProcess.Background instanceProcess;
    /** A killed member's restart, which the test does not wait for. */
    private java.util.concurrent.CompletableFuture<Void> restarting = java.util.concurrent.CompletableFuture.completedFuture(null);

    @BeforeAll
    void startCluster() {
        cluster = new FaultCluster("recipes-it", 100_000);
        // the holders' JVMs start while the members do: they connect once the cluster answers
        lockHolder = background(RecipeHolder.command(
                with(List.of("mutex", LOCK, Integer.toString(DYING_TTL_SECONDS)), endpointsFrom(1))));
        leaderProcess = background(RecipeHolder.command(
                with(List.of("latch", ELECTION, "proc", Integer.toString(OUTLIVING_TTL_SECONDS)), endpointsFrom(0))));
        instanceProcess = background(RecipeHolder.command(
                with(List.of("register", SERVICES, "api", "a", "9001", Integer.toString(OUTLIVING_TTL_SECONDS)), endpointsFrom(2))));
        cluster.startAll();
        for (CairnProcess.Background holder : List.of(lockHolder, leaderProcess, instanceProcess)) {
            awaitLine(holder, "ready");
        }
    }

    /** Each test starts with every member up. */
    @org.junit.jupiter.api.BeforeEach
    void everyMemberUp() {
        restarting.join();
    }

    @AfterAll
    void stopCluster() {
        restarting.exceptionally(failed -> null).join();
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the processes go below regardless
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------------------------------------- Mutex

    /** One hold as the test saw it: from lock() returning to the last confirmation that the key was still ours. */
    record Hold(int worker, long token, long enterNanos, long confirmedNanos) {}

    @Test
    @Order(1)
    void mutexHoldsNeverOverlapAndTokensIncreaseThroughHolderDeathAndLeaderKills() throws Exception {
        String lock = LOCK;
        Bytes counter = Bytes.fromUtf8("it/locks/counter");
        CairnProcess.Background holder = lockHolder;
        holder.send("go");
        long holderToken = Long.parseLong(awaitLine(holder, "held ").substring("held ".length()));

        List<Hold> holds = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger inside = new AtomicInteger();
        AtomicLong acknowledgedIncrements = new AtomicLong();
        AtomicLong unknownIncrements = new AtomicLong();
        AtomicLong lostHolds = new AtomicLong();
        FencedResource resource = new FencedResource();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            CairnClient client = client(w % FaultCluster.SIZE);
            int worker = w;
            workers.add(Thread.ofPlatform().name("mutex-worker-" + w).start(() -> {
                Session session = null;
                while (!stop.get()) {
                    try {
                        if (session == null) {
                            session = Session.create(client, LIVING_TTL);
                        }
                        Mutex mutex = new Mutex(session, lock);
                        waiting.incrementAndGet();
                        boolean held;
                        try {
                            held = mutex.tryLock(Duration.ofSeconds(2));
                        } finally {
                            waiting.decrementAndGet();
                        }
                        if (!held) {
                            continue;
                        }
                        long token = mutex.fencingToken();
                        long enter = System.nanoTime();
                        inside.incrementAndGet();
                        long confirmed = enter;
                        try {
                            resource.write(token);
                            try {
                                // read-modify-write: a second holder at the same time would lose an increment
                                RangeResponse read = client.kv().get(counter).get(20, TimeUnit.SECONDS);
                                long value = read.kvs().isEmpty() ? 0 : Long.parseLong(read.kvs().get(0).value().toUtf8());
                                CairnProcess.sleep(20);
                                try {
                                    TxnResponse written = client.kv().txn(TxnRequest.empty().when(mutex.isOwner())
                                            .then(PutRequest.of(counter, Bytes.fromUtf8(Long.toString(value + 1)))))
                                            .get(20, TimeUnit.SECONDS);
                                    if (written.succeeded()) {
                                        acknowledgedIncrements.incrementAndGet();
                                    } else {
                                        lostHolds.incrementAndGet();
                                    }
                                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException unknown) {
                                    unknownIncrements.incrementAndGet();
                                }
                                // still ours now? (the key with this hold's create revision exists)
                                RangeResponse own = client.kv().get(mutex.key()).get(20, TimeUnit.SECONDS);
                                if (!own.kvs().isEmpty() && own.kvs().get(0).createRevision() == token) {
                                    confirmed = System.nanoTime();
                                }
                            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException failed) {
                                errors.add("worker " + worker + " in the critical section: " + failed);
                            }
                        } finally {
                            inside.decrementAndGet();
                            holds.add(new Hold(worker, token, enter, confirmed));
                            mutex.unlock();
                        }
                    } catch (InterruptedException interrupted) {
                        break;
                    } catch (RuntimeException failure) {
                        // a lock or unlock that failed with the cluster: start over on a new session, so a key
                        // left behind is never taken for a new hold with an old token
                        errors.add("worker " + worker + ": " + failure);
                        if (session != null) {
                            session.close();
                            session = null;
                        }
                        CairnProcess.sleep(100);
                    }
                }
                if (session != null) {
                    session.close();
                }
            }));
        }
        try {
            // the process holds the lock: nobody here gets it until the process dies and its lease runs out
            CairnProcess.sleep(1_000);
            assertTrue(holds.isEmpty(), () -> "a worker got the lock while the holder process lived: " + holds);
            long killed = System.nanoTime();
            holder.kill();
            eventually("a worker takes the lock after the holder process was killed", () -> !holds.isEmpty() || inside.get() > 0);
            long freedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(freedAfterMs <= DYING_TTL_SECONDS * 1000L + EXPIRY_SLACK_MS,
                    "the killed holder's lock passed on after " + freedAfterMs + " ms, TTL " + DYING_TTL_SECONDS + " s");

            long runSeconds = Long.getLong("cairn.faults.seconds", 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(runSeconds);
            int rounds = 0;
            int holdsBeforeLastKill;
            do {
                CairnProcess.sleep(1_500);
                // kill the Raft leader while one worker holds the lock and others wait for it
                eventually("the lock held and contended", () -> inside.get() == 1 && waiting.get() >= 2);
                holdsBeforeLastKill = holds.size();
                killLeaderAndRestart(2_000);
                rounds++;
            } while (System.nanoTime() < deadline);
            int before = holdsBeforeLastKill;
            eventually("holds after the leader kill", () -> holds.size() >= before + 5);

            stop.set(true);
            for (Thread t : workers) {
                t.join(WAIT.toMillis());
            }
            long finalCount;
            try (CairnClient reader = client(0)) {
                RangeResponse read = reader.kv().get(counter).get(20, TimeUnit.SECONDS);
                finalCount = read.kvs().isEmpty() ? 0 : Long.parseLong(read.kvs().get(0).value().toUtf8());
            }
            System.out.printf("RecipesClusterIT mutex: %d leader kill(s), %d holds, holder process's lock freed after %d ms,"
                    + " counter %d (%d acknowledged, %d unknown increments), %d holds lost to the lease, errors %s%n",
                    rounds, holds.size(), freedAfterMs, finalCount, acknowledgedIncrements.get(), unknownIncrements.get(),
                    lostHolds.get(), errors);

            List<Hold> ordered = holds.stream().sorted(Comparator.comparingLong(Hold::enterNanos)).toList();
            assertTrue(ordered.get(0).token() > holderToken,
                    "the first worker's token " + ordered.get(0).token() + " is above the dead holder's " + holderToken);
            for (int i = 1; i < ordered.size(); i++) {
                Hold previous = ordered.get(i - 1);
                Hold next = ordered.get(i);
                assertTrue(previous.confirmedNanos() < next.enterNanos(), "two holds overlap: " + previous + " and " + next);
                assertTrue(previous.token() < next.token(), "fencing tokens do not increase: " + previous + " then " + next);
            }
            assertEquals(0, resource.rejected(), "writes with a stale fencing token");
            assertEquals(0, lostHolds.get(), "holds whose key was gone before the guarded write (lease lost)");
            assertTrue(finalCount >= acknowledgedIncrements.get() && finalCount <= acknowledgedIncrements.get() + unknownIncrements.get(),
                    "counter " + finalCount + " after " + acknowledgedIncrements + " acknowledged and " + unknownIncrements
                            + " unknown increments under the lock: an increment was lost, so two holders overlapped");
            assertTrue(holdsBeforeLastKill >= 1, "holds before the leader kill: " + holdsBeforeLastKill);
        } finally {
            stop.set(true);
            holder.close();
            for (Thread t : workers) {
                t.join(WAIT.toMillis());
            }
        }
    }

    /**
     * A resource that takes fencing tokens: it accepts a write only with a token higher than every token
     * it accepted before, as a storage service guarding itself against a paused former lock holder.
     */
    static final class FencedResource {
        private long highest;
        private int rejected;

        synchronized boolean write(long token) {
            if (token <= highest) {
                rejected++;
                return false;
            }
            highest = token;
            return true;
        }

        synchronized int rejected() {
            return rejected;
        }
    }

    // ---------------------------------------------------------------------------------------------- queue

    @Test
    @Order(2)
    void queueDeliversEveryAcknowledgedItemOnceAcrossALeaderKill() throws Exception {
        String name = "it/queue/jobs";
        int producers = 3;
        int itemsEach = 30;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> unknown = ConcurrentHashMap.newKeySet();
        Map<Integer, List<String>> takenBy = new ConcurrentHashMap<>();
        AtomicInteger uncertainTakes = new AtomicInteger();
        AtomicBoolean stopConsumers = new AtomicBoolean();
        List<Thread> producerThreads = new ArrayList<>();
        List<Thread> consumerThreads = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            DistributedQueue queue = new DistributedQueue(client(c + 1), name);
            int consumer = c;
            List<String> taken = new CopyOnWriteArrayList<>();
            takenBy.put(consumer, taken);
            consumerThreads.add(Thread.ofPlatform().name("queue-consumer-" + c).start(() -> {
                while (!stopConsumers.get()) {
                    try {
                        queue.poll(Duration.ofMillis(500)).ifPresent(item -> taken.add(item.toUtf8()));
                    } catch (InterruptedException interrupted) {
                        return;
                    } catch (RuntimeException failure) {
                        uncertainTakes.incrementAndGet(); // the guarded delete may have landed: the item is gone unseen
                        CairnProcess.sleep(100);
                    }
                }
            }));
        }
        for (int p = 0; p < producers; p++) {
            DistributedQueue queue = new DistributedQueue(client(p), name);
            int producer = p;
            producerThreads.add(Thread.ofPlatform().name("queue-producer-" + p).start(() -> {
                for (int n = 0; n < itemsEach; n++) {
                    String item = "p" + producer + "-" + n;
                    try {
                        queue.enqueue(Bytes.fromUtf8(item));
                        acknowledged.add(item);
                    } catch (InterruptedException interrupted) {
                        return;
                    } catch (RuntimeException failure) {
                        unknown.add(item); // not sent again: a second copy would be a legitimate duplicate
                    }
                    CairnProcess.sleep(30);
                }
            }));
        }
        try {
            CairnProcess.sleep(800);
            killLeaderAndRestart(2_000);
            for (Thread t : producerThreads) {
                t.join(WAIT.toMillis());
            }
            try (CairnClient reader = client(0)) {
                DistributedQueue queue = new DistributedQueue(reader, name);
                eventually("the queue drained", () -> {
                    try {
                        return queue.size() == 0;
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
            }
            CairnProcess.sleep(700); // a consumer's last poll returns
        } finally {
            stopConsumers.set(true);
            for (Thread t : consumerThreads) {
                t.join(WAIT.toMillis());
            }
        }
        List<String> all = takenBy.values().stream().flatMap(List::stream).toList();
        Set<String> distinct = new HashSet<>(all);
        System.out.printf("RecipesClusterIT queue: %d acknowledged, %d unknown enqueues, %d taken (%s per consumer),"
                + " %d takes failed with an unknown outcome%n", acknowledged.size(), unknown.size(), all.size(),
                takenBy.values().stream().map(l -> Integer.toString(l.size())).collect(Collectors.joining("/")), uncertainTakes.get());
        assertEquals(all.size(), distinct.size(), () -> "an item was taken twice: " + duplicates(all));
        Set<String> strangers = new TreeSet<>(distinct);
        strangers.removeAll(acknowledged);
        strangers.removeAll(unknown);
        assertTrue(strangers.isEmpty(), "taken but never enqueued: " + strangers);
        Set<String> missing = new TreeSet<>(acknowledged);
        missing.removeAll(distinct);
        assertTrue(missing.size() <= uncertainTakes.get(), "acknowledged items never taken: " + missing
                + " (takes with an unknown outcome: " + uncertainTakes + ")");
        // FIFO: one producer's items were created in order, and each consumer took the oldest every time
        for (var entry : takenBy.entrySet()) {
            Map<String, Integer> lastSeen = new HashMap<>();
            for (String item : entry.getValue()) {
                String producer = item.substring(0, item.indexOf('-'));
                int n = Integer.parseInt(item.substring(item.indexOf('-') + 1));
                Integer last = lastSeen.put(producer, n);
                assertTrue(last == null || last < n, "consumer " + entry.getKey() + " took " + item + " after "
                        + producer + "-" + last + ": " + entry.getValue());
            }
        }
        assertTrue(acknowledged.size() >= producers * itemsEach / 2, "the producers made progress: " + acknowledged.size());
    }

    private static Set<String> duplicates(List<String> items) {
        Set<String> seen = new HashSet<>();
        return items.stream().filter(i -> !seen.add(i)).collect(Collectors.toCollection(TreeSet::new));
    }

    // ---------------------------------------------------------------------------------------------- election

    /** A write that a leader made under the guard of its leader key, at the revision the cluster gave it. */
    record GuardedWrite(String leader, long leaderRev, long revision) {}

    @Test
    @Order(3)
    void electionMovesToALiveCandidateWhenTheLeaderProcessDiesAndNeverHasTwoLeaders() throws Exception {
        String name = ELECTION;
        Bytes resourceKey = Bytes.fromUtf8("it/elections/resource");
        CairnProcess.Background process = leaderProcess;
        process.send("go");
        long processRev = Long.parseLong(awaitLine(process, "leader ").substring("leader ".length()));

        List<String> observed = new CopyOnWriteArrayList<>();
        CairnClient observerClient = client(1);
        Session observerSession = Session.create(observerClient, LIVING_TTL);
        toClose.add(observerSession);
        AutoCloseable observing = new Election(observerSession, name).observe(kv -> observed.add(kv.value().toUtf8()));
        toClose.add(observing);
        eventually("the observer sees the process lead", () -> last(observed).equals("proc"));

        List<GuardedWrite> writes = new CopyOnWriteArrayList<>();
        List<Long> leadershipRevs = new CopyOnWriteArrayList<>();
        leadershipRevs.add(processRev);
        Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();
        Map<String, CairnClient> latchClients = new HashMap<>();
        for (int j = 1; j <= 2; j++) {
            String value = "jvm-" + j;
            CairnClient client = client(j);
            latchClients.put(value, client);
            LeaderLatch[] self = new LeaderLatch[1];
            Object assigned = new Object();
            synchronized (assigned) {
                self[0] = LeaderLatch.start(client, name, value, LIVING_TTL, new LeaderLatch.Listener() {
                    @Override
                    public void isLeader() {
                        synchronized (assigned) {
                            var key = self[0].leaderKey();
                            if (key != null) {
                                leadershipRevs.add(key.rev());
                            }
                        }
                    }

                    @Override
                    public void notLeader() {}
                });
            }
            latches.put(value, self[0]);
            toClose.add(self[0]);
        }
        // every leader in this JVM writes under the guard of its own key, again and again
        AtomicBoolean stopWriting = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().name("guarded-writer").start(() -> {
            while (!stopWriting.get()) {
                for (var entry : latches.entrySet()) {
                    var key = entry.getValue().leaderKey();
                    if (key == null) {
                        continue;
                    }
                    try {
                        TxnResponse written = latchClients.get(entry.getKey()).kv().txn(TxnRequest.empty()
                                .when(Compare.createRevision(key.key(), Compare.Result.EQUAL, key.rev()))
                                .then(PutRequest.of(resourceKey, Bytes.fromUtf8(entry.getKey() + "@" + key.rev()))))
                                .get(20, TimeUnit.SECONDS);
                        if (written.succeeded()) {
                            writes.add(new GuardedWrite(entry.getKey(), key.rev(), written.header().revision()));
                        }
                    } catch (Exception unknown) {
                        // outcome unknown: not recorded, the check needs only acknowledged writes
                    }
                }
                CairnProcess.sleep(50);
            }
        });
        try {
            CairnProcess.sleep(1_000);
            assertTrue(latches.values().stream().noneMatch(LeaderLatch::hasLeadership),
                    "a latch here leads while the process leads: " + observed);

            // the Raft leader dies while the election has a leader and two candidates waiting
            killLeaderAndRestart(2_000);
            CairnProcess.sleep(500);

            // the leading process dies: a candidate here takes over once its lease runs out, the observer sees it
            long killed = System.nanoTime();
            process.kill();
            eventually("a latch in this JVM leads after the leader process died",
                    () -> latches.values().stream().anyMatch(LeaderLatch::hasLeadership));
            long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            String first = latches.entrySet().stream().filter(e -> e.getValue().hasLeadership()).findFirst().orElseThrow().getKey();
            eventually("the observer sees " + first + " lead", () -> last(observed).equals(first));
            // the dead leader's TTL, and at worst a candidate's TTL more: one whose key stayed ahead in line
            // after its campaign failed with the Raft leader's death and its revoke failed too
            assertTrue(takeoverMs <= OUTLIVING_TTL_SECONDS * 1000L + LIVING_TTL.toMillis() + EXPIRY_SLACK_MS,
                    "take-over after " + takeoverMs + " ms");
            eventually("guarded writes by " + first, () -> writes.stream().anyMatch(w -> w.leader().equals(first)));

            // the leader here leaves: the other candidate leads, the observer sees it
            latches.remove(first).close();
            String second = first.equals("jvm-1") ? "jvm-2" : "jvm-1";
            eventually(second + " leads", () -> latches.get(second).hasLeadership());
            eventually("the observer sees " + second + " lead", () -> last(observed).equals(second));
            eventually("guarded writes by " + second, () -> writes.stream().anyMatch(w -> w.leader().equals(second)));
            System.out.printf("RecipesClusterIT election: observed %s, leadership revisions %s, %d guarded writes,"
                    + " take-over %d ms after the leader process was killed%n", observed, leadershipRevs, writes.size(), takeoverMs);
        } finally {
            stopWriting.set(true);
            writer.join(WAIT.toMillis());
            process.close();
        }
        for (int i = 1; i < leadershipRevs.size(); i++) {
            assertTrue(leadershipRevs.get(i - 1) < leadershipRevs.get(i), "leader keys' revisions do not increase: " + leadershipRevs);
        }
        // fencing at the store: ordered by commit, the leaders' tokens never go back
        List<GuardedWrite> byRevision = writes.stream().sorted(Comparator.comparingLong(GuardedWrite::revision)).toList();
        for (int i = 1; i < byRevision.size(); i++) {
            assertTrue(byRevision.get(i - 1).leaderRev() <= byRevision.get(i).leaderRev(),
                    "an older leader wrote after a newer one: " + byRevision.get(i - 1) + " then " + byRevision.get(i));
        }
        List<String> changes = new ArrayList<>();
        for (String value : observed) {
            if (changes.isEmpty() || !last(changes).equals(value)) {
                changes.add(value);
            }
        }
        assertEquals("proc", changes.get(0), "the observer's leaders: " + observed);
        assertEquals(3, changes.size(), "the observer saw the process, then one latch, then the other: " + observed);
    }

    // ---------------------------------------------------------------------------------------------- registry

    @Test
    @Order(4)
    void registryShowsInstancesFromEveryMemberAndDropsAKilledOne() throws Exception {
        String root = SERVICES;
        CairnProcess.Background processInstance = instanceProcess;
        processInstance.send("go");
        awaitLine(processInstance, "registered");
        try {
            ServiceRegistry viaFirst = new ServiceRegistry(client(0), root);
            ServiceRegistry viaSecond = new ServiceRegistry(client(1), root);
            ServiceInstance b = new ServiceInstance("api", "b", "127.0.0.1", 9002, Map.of("zone", "z1"));
            ServiceInstance c = new ServiceInstance("api", "c", "127.0.0.1", 9003, Map.of());
            toClose.add(viaFirst.register(b, LIVING_TTL));
            ServiceRegistry.Registration registrationC = viaSecond.register(c, LIVING_TTL);
            toClose.add(registrationC);

            List<AtomicReference<Set<String>>> views = new ArrayList<>();
            for (int w = 1; w <= 2; w++) {
                AtomicReference<Set<String>> view = new AtomicReference<>(Set.of());
                views.add(view);
                toClose.add(new ServiceRegistry(client(w), root).watch("api",
                        instances -> view.set(instances.stream().map(ServiceInstance::id).collect(Collectors.toSet()))));
            }
            awaitViews(views, Set.of("a", "b", "c"));

            // a member dies; an instance registers through a client whose first endpoint is that member
            FaultCluster.Member leader = raftLeader();
            cluster.kill(leader);
            ServiceRegistry viaKilled = new ServiceRegistry(client(leader.index), root);
            toClose.add(register(viaKilled, new ServiceInstance("api", "d", "127.0.0.1", 9004, Map.of())));
            CairnProcess.sleep(1_000);
            restarting = java.util.concurrent.CompletableFuture.runAsync(() -> cluster.start(leader), r -> Thread.ofPlatform().start(r));
            awaitViews(views, Set.of("a", "b", "c", "d"));

            long killed = System.nanoTime();
            processInstance.kill();
            awaitViews(views, Set.of("b", "c", "d"));
            long droppedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(droppedMs <= OUTLIVING_TTL_SECONDS * 1000L + EXPIRY_SLACK_MS,
                    "the killed instance dropped out after " + droppedMs + " ms, TTL " + OUTLIVING_TTL_SECONDS + " s");

            registrationC.close();
            awaitViews(views, Set.of("b", "d"));
            restarting.join();
            for (int m = 0; m < FaultCluster.SIZE; m++) {
                try (CairnClient only = memberClient(cluster.member(m))) {
                    Set<String> found = new ServiceRegistry(only, root).discover("api").stream()
                            .map(ServiceInstance::id).collect(Collectors.toSet());
                    assertEquals(Set.of("b", "d"), found, "discovered through " + cluster.member(m));
                }
            }
            System.out.printf("RecipesClusterIT registry: killed instance dropped out after %d ms%n", droppedMs);
        } finally {
            processInstance.close();
        }
    }

    private static void awaitViews(List<AtomicReference<Set<String>>> views, Set<String> expected) {
        eventually("every watcher sees " + expected, () -> views.stream().allMatch(v -> v.get().equals(expected)));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** A client with every member as endpoint, starting at member {@code first}; closed after the class. */
    private CairnClient client(int first) {
        CairnClient client = CairnClient.builder().endpoints(endpointsFrom(first).toArray(String[]::new)).build();
        toClose.add(client);
        return client;
    }

    private static CairnClient memberClient(FaultCluster.Member member) {
        return CairnClient.builder().endpoints(member.clientUrl()).maxAttempts(3).build();
    }

    private List<String> endpointsFrom(int first) {
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < FaultCluster.SIZE; i++) {
            endpoints.add(cluster.member((first + i) % FaultCluster.SIZE).clientUrl());
        }
        return endpoints;
    }

    private static List<String> with(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all;
    }

    private CairnProcess.Background background(List<String> command) {
        CairnProcess.Background process = CairnProcess.background(command);
        toClose.add(process);
        return process;
    }

    /** The first stdout line of {@code process} that starts with {@code prefix}. */
    private static String awaitLine(CairnProcess.Background process, String prefix) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var line = process.stdout().lines().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            assertTrue(process.isAlive(), () -> "the holder process exited\nstdout:\n" + process.stdout() + "\nstderr:\n" + process.stderr());
            CairnProcess.sleep(50);
        }
        throw new AssertionError("no line '" + prefix + "...' within " + WAIT + "\nstdout:\n" + process.stdout()
                + "\nstderr:\n" + process.stderr());
    }

    /** The member that is the Raft leader, as the running members report it. */
    private FaultCluster.Member raftLeader() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (FaultCluster.Member m : cluster.members()) {
                if (!m.running()) {
                    continue;
                }
                try (CairnClient only = memberClient(m)) {
                    StatusResponse status = only.maintenance().status().get(5, TimeUnit.SECONDS);
                    if (status.leader() != 0 && status.leader() == status.header().memberId()) {
                        return m;
                    }
                } catch (Exception notNow) {
                    // starting, or no leader yet
                }
            }
            CairnProcess.sleep(100);
        }
        throw new AssertionError("no Raft leader within " + WAIT + cluster.logs());
    }

    /**
     * SIGKILLs the Raft leader, waits {@code downMillis} (the others elect and carry on), and restarts it on
     * its data dir in the background (the next test waits for it).
     */
    private void killLeaderAndRestart(long downMillis) {
        restarting.join();
        FaultCluster.Member leader = raftLeader();
        cluster.kill(leader);
        CairnProcess.sleep(downMillis);
        restarting = java.util.concurrent.CompletableFuture.runAsync(() -> cluster.start(leader), r -> Thread.ofPlatform().start(r));
    }

    private static String last(List<String> list) {
        return list.isEmpty() ? "" : list.get(list.size() - 1);
    }

    /** Registers, trying again while the cluster has no leader (a failed attempt revokes its own lease). */
    private static ServiceRegistry.Registration register(ServiceRegistry registry, ServiceInstance instance) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return registry.register(instance, LIVING_TTL);
            } catch (RuntimeException failure) {
                if (System.nanoTime() > deadline) {
                    throw failure;
                }
                CairnProcess.sleep(200);
            }
        }
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + WAIT + ": " + what);
            CairnProcess.sleep(20);
        }
    }
}
