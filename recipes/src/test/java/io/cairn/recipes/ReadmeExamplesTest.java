package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The README's recipe snippets, as written there, against an embedded member; the names they leave to
 * the reader (storage, render, scheduler, ...) are small stand-ins that record what happened.
 */
class ReadmeExamplesTest extends EmbeddedCairn {

    /** The README's configuration type. */
    public record Limits(int maxConnections, String mode) {}

    private final List<String> log = new ArrayList<>();
    private final Storage storage = new Storage();
    private final Scheduler scheduler = new Scheduler();
    private final Balancer balancer = new Balancer();
    private final ConfigTarget server = new ConfigTarget();
    private final String report = "report";

    final class Storage {
        void write(String data, long token) {
            log.add("write " + data + " with token " + token);
        }
    }

    final class Scheduler {
        volatile boolean running;

        void start() {
            running = true;
        }

        void stop() {
            running = false;
        }
    }

    static final class Balancer {
        volatile List<ServiceInstance> instances = List.of();

        void update(List<ServiceInstance> now) {
            instances = now;
        }
    }

    static final class ConfigTarget {
        volatile Limits applied;

        void apply(Limits limits) {
            applied = limits;
        }
    }

    private void render() {
        log.add("render");
    }

    private void download() {
        log.add("download");
    }

    private void compute() {
        log.add("compute");
    }

    @Test
    void mutex() throws Exception {
        try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
            Mutex mutex = new Mutex(session, "jobs/nightly");
            mutex.lock();
            try {
                storage.write(report, mutex.fencingToken()); // the storage refuses tokens below the highest it saw
            } finally {
                mutex.unlock();
            }
        }
        assertTrue(log.get(0).startsWith("write report with token "), log.toString());
    }

    @Test
    void readWriteLockAndSemaphore() throws Exception {
        try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
            ReadWriteLock.Hold read = new ReadWriteLock(session, "catalog").readLock();
            try { render(); } finally { read.unlock(); }

            Semaphore.Permit permit = new Semaphore(session, "limits/downloads", 3).acquire();
            try { download(); } finally { permit.release(); }
        }
        assertEquals(List.of("render", "download"), log);
    }

    @Test
    void electionAndLeaderLatch() throws Exception {
        try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
            Election election = new Election(session, "services/scheduler");
            election.campaign("node-a:8080");            // blocks until leader
            election.proclaim("node-a:8080 (draining)");
            assertEquals("node-a:8080 (draining)", election.leader().orElseThrow().value().toUtf8());
            election.resign();
        }

        try (LeaderLatch latch = LeaderLatch.start(cairn, "services/scheduler", "node-a", Duration.ofSeconds(10),
                new LeaderLatch.Listener() {
                    public void isLeader() { scheduler.start(); }
                    public void notLeader() { scheduler.stop(); }
                })) {
            eventually("the latch leads", () -> scheduler.running);
        }
        assertTrue(!scheduler.running, "closing the latch gave up leadership");
    }

    @Test
    void queues() throws Exception {
        DistributedQueue jobs = new DistributedQueue(cairn, "queues/jobs");
        jobs.enqueue(Bytes.fromUtf8("resize 42.png"));
        Bytes job = jobs.dequeue();                                   // blocks until there is one

        PriorityQueue alerts = new PriorityQueue(cairn, "queues/alerts");
        alerts.enqueue(Bytes.fromUtf8("disk full"), 0);
        Bytes urgent = alerts.dequeue();
        assertEquals("resize 42.png", job.toUtf8());
        assertEquals("disk full", urgent.toUtf8());
    }

    @Test
    void barriersAndCounter() throws Exception {
        Barrier deploy = new Barrier(cairn, "barriers/deploy");
        deploy.hold();  /* workers: */ CompletableFuture<Boolean> worker = CompletableFuture.supplyAsync(() -> {
            try {
                return deploy.await(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        /* coordinator: */ deploy.release();
        assertTrue(worker.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

        try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
            DoubleBarrier phase = new DoubleBarrier(session, "jobs/phase-1", 1);
            phase.enter();  compute();  phase.leave();
        }

        long visits = new DistributedCounter(cairn, "stats/visits").incrementAndGet();  // CAS, never loses an update
        assertEquals(1, visits);
        assertEquals(List.of("compute"), log);
    }

    @Test
    void serviceRegistry() throws Exception {
        ServiceRegistry registry = new ServiceRegistry(cairn, "services");
        try (ServiceRegistry.Registration me = registry.register(
                new ServiceInstance("orders", "orders-1", "10.0.0.7", 8080, Map.of("zone", "a")), Duration.ofSeconds(10));
             AutoCloseable watching = registry.watch("orders", instances -> balancer.update(instances))) {
            List<ServiceInstance> now = registry.discover("orders");
            assertEquals(List.of(me.instance()), now);
            eventually("the balancer sees the instance", () -> balancer.instances.equals(now));
        }
    }

    @Test
    void configWatcher() throws Exception {
        cairn.kv().put(Bytes.fromUtf8("config/api/maxConnections"), Bytes.fromUtf8("100")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        cairn.kv().put(Bytes.fromUtf8("config/api/mode"), Bytes.fromUtf8("strict")).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try (ConfigWatcher<Limits> limits = ConfigWatcher.start(cairn, "config/api", Limits.class, server::apply)) {
            Limits now = limits.current();
            assertEquals(new Limits(100, "strict"), now);
            assertEquals(now, server.applied);
        }
    }
}
