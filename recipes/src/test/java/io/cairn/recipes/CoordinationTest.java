package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** ReadWriteLock, Semaphore, Barrier, DoubleBarrier and DistributedCounter. */
class CoordinationTest extends EmbeddedCairn {

    @Test
    void readersShareAndAWriterExcludesEveryoneIncludingLaterReaders() throws Exception {
        try (Session r1 = Session.create(cairn, Duration.ofSeconds(10));
             Session r2 = Session.create(cairn, Duration.ofSeconds(10));
             Session w = Session.create(cairn, Duration.ofSeconds(10));
             Session r3 = Session.create(cairn, Duration.ofSeconds(10))) {
            ReadWriteLock.Hold read1 = new ReadWriteLock(r1, "rw/catalog").readLock();
            ReadWriteLock.Hold read2 = new ReadWriteLock(r2, "rw/catalog").tryReadLock(Duration.ofSeconds(TIMEOUT_SECONDS));
            assertNotNull(read2, "readers share");
            assertNull(new ReadWriteLock(w, "rw/catalog").tryWriteLock(Duration.ofMillis(300)), "a writer waits for readers");

            CompletableFuture<ReadWriteLock.Hold> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    return new ReadWriteLock(w, "rw/catalog").writeLock();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            eventually("the writer queued", () -> countQuietly("rw/catalog/write/") == 1);
            assertNull(new ReadWriteLock(r3, "rw/catalog").tryReadLock(Duration.ofMillis(300)),
                    "a reader arriving after a waiting writer waits too");
            read1.unlock();
            assertFalse(writer.isDone());
            read2.unlock();
            ReadWriteLock.Hold write = writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(write.fencingToken() > 0);
            assertNull(new ReadWriteLock(r3, "rw/catalog").tryReadLock(Duration.ofMillis(300)), "the writer excludes readers");
            write.unlock();
            ReadWriteLock.Hold read3 = new ReadWriteLock(r3, "rw/catalog").tryReadLock(Duration.ofSeconds(TIMEOUT_SECONDS));
            assertNotNull(read3);
            read3.unlock();
        }
    }

    @Test
    void aSemaphoreLetsAtMostItsPermitsIn() throws Exception {
        int permits = 2;
        int parties = 5;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parties);
        List<Future<?>> runs = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            runs.add(pool.submit(() -> {
                try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
                    Semaphore semaphore = new Semaphore(session, "semaphore/downloads", permits);
                    for (int round = 0; round < 3; round++) {
                        Semaphore.Permit permit = semaphore.acquire();
                        try {
                            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.sleep(5);
                            inside.decrementAndGet();
                        } finally {
                            permit.release();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(most.get() <= permits, "at most " + permits + " inside, saw " + most.get());
        assertEquals(0, count("semaphore/downloads/"));
    }

    @Test
    void aBarrierHoldsWaitersUntilReleased() throws Exception {
        Barrier barrier = new Barrier(cairn, "barrier/deploy");
        assertTrue(barrier.hold());
        assertFalse(barrier.hold(), "closed already");
        assertFalse(barrier.await(Duration.ofMillis(200)));
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return barrier.await(Duration.ofSeconds(TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        barrier.release();
        assertTrue(waiter.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(barrier.await(Duration.ofSeconds(TIMEOUT_SECONDS)), "an open barrier lets waiters through");
    }

    @Test
    void aDoubleBarrierLetsPartiesInAndOutTogether() throws Exception {
        int parties = 3;
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger enteredEarly = new AtomicInteger();
        AtomicInteger left = new AtomicInteger();
        AtomicInteger leftEarly = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parties);
        List<Future<?>> runs = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            runs.add(pool.submit(() -> {
                try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
                    DoubleBarrier barrier = new DoubleBarrier(session, "barrier/phase", parties);
                    entered.incrementAndGet();
                    barrier.enter();
                    if (entered.get() < parties) {
                        enteredEarly.incrementAndGet();
                    }
                    left.incrementAndGet();
                    barrier.leave();
                    if (left.get() < parties) {
                        leftEarly.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, enteredEarly.get(), "nobody passed enter before all had arrived");
        assertEquals(0, leftEarly.get(), "nobody passed leave before all had left");
        assertEquals(0, count("barrier/phase/"));
    }

    @Test
    void concurrentIncrementsAreNeverLost() throws Exception {
        DistributedCounter counter = new DistributedCounter(cairn, "counter/visits");
        int threads = 4;
        int each = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> runs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            runs.add(pool.submit(() -> {
                List<Long> values = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    values.add(counter.incrementAndGet());
                }
                return values;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> run : runs) {
            all.addAll(run.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(threads * each, counter.get());
        assertEquals(all.size(), all.stream().distinct().count(), "every increment returned its own value");
        assertTrue(counter.compareAndSet(threads * each, 7));
        assertFalse(counter.compareAndSet(threads * each, 8));
        assertEquals(7, counter.get());
    }

    private static long countQuietly(String prefix) {
        try {
            return count(prefix);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long count(String prefix) throws Exception {
        return cairn.kv().range(io.cairn.api.kv.RangeRequest.prefix(io.cairn.api.Bytes.fromUtf8(prefix)).withCountOnly(true))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).count();
    }
}
