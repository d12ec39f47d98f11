package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lock.LockRequest;
import io.cairn.api.lock.UnlockRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class MutexTest extends EmbeddedCairn {

    /**
     * A resource that, like a storage service honouring fencing, refuses a token lower than the highest it
     * has accepted, and records whether two writers were ever inside at once.
     */
    static final class FencedResource {
        private long highestToken;
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger overlaps = new AtomicInteger();
        private final AtomicInteger accepted = new AtomicInteger();

        /** Enters the critical section with {@code token}; false if refused as stale. */
        boolean enter(long token) {
            synchronized (this) {
                if (token < highestToken) {
                    return false;
                }
                highestToken = token;
            }
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            accepted.incrementAndGet();
            return true;
        }

        void leave() {
            inside.decrementAndGet();
        }
    }

    @Test
    void contendingHoldersNeverOverlapAsSeenThroughTheirFencingTokens() throws Exception {
        int holders = 4;
        int rounds = 5;
        FencedResource resource = new FencedResource();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(holders);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int h = 0; h < holders; h++) {
            results.add(pool.submit(() -> {
                List<Long> tokens = new ArrayList<>();
                try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
                    Mutex mutex = new Mutex(session, "mutex/contended");
                    for (int r = 0; r < rounds; r++) {
                        mutex.lock();
                        try {
                            long token = mutex.fencingToken();
                            tokens.add(token);
                            if (!resource.enter(token)) {
                                refused.incrementAndGet();
                                continue;
                            }
                            Thread.sleep(2); // hold the section a little so that overlaps could show
                            resource.leave();
                        } finally {
                            mutex.unlock();
                        }
                    }
                }
                return tokens;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> result : results) {
            all.addAll(result.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(0, resource.overlaps.get(), "two holders were inside at once");
        assertEquals(0, refused.get(), "a live holder's token was refused");
        assertEquals(holders * rounds, resource.accepted.get());
        assertEquals(all.size(), all.stream().distinct().count(), "every hold has its own token: " + all);
        assertEquals(0, cairn.kv().range(RangeRequest.prefix(Bytes.fromUtf8("mutex/contended/")).withCountOnly(true))
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).count(), "no key is left behind");
    }

    /** One accepted write: the token it carried and the thread that wrote. */
    record Write(long token, int writer) {}

    @Test
    void whileHoldersLoseTheirLeasesTheFencedResourceStillSeesOneHolderAtATime() throws Exception {
        int holders = 3;
        int rounds = 8;
        int writesPerHold = 3;
        List<Write> accepted = new ArrayList<>();
        long[] highest = {0};
        java.util.Set<Long> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<Long> refusedLeases = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong currentHolderLease = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(holders + 1);
        Future<?> chaos = pool.submit(() -> {
            while (!finished.get() && revoked.size() < 3) {
                Thread.sleep(40);
                long lease = currentHolderLease.get();
                if (lease != 0 && revoked.add(lease)) {
                    revoke(lease); // the holder is now as good as paused past its TTL
                }
            }
            return null;
        });
        List<Future<?>> runs = new ArrayList<>();
        for (int h = 0; h < holders; h++) {
            int writer = h;
            runs.add(pool.submit(() -> {
                Session session = Session.create(cairn, Duration.ofSeconds(10));
                try {
                    for (int round = 0; round < rounds; round++) {
                        if (revoked.contains(session.leaseId())) {
                            session.close();
                            session = Session.create(cairn, Duration.ofSeconds(10));
                        }
                        Mutex mutex = new Mutex(session, "mutex/chaos");
                        try {
                            mutex.lock();
                        } catch (CairnException leaseGone) {
                            continue; // lost while waiting, or revoked before enqueueing: new session next round
                        }
                        currentHolderLease.set(session.leaseId());
                        for (int w = 0; w < writesPerHold; w++) {
                            synchronized (accepted) { // the resource: refuses a token below the highest accepted
                                if (mutex.fencingToken() >= highest[0]) {
                                    highest[0] = mutex.fencingToken();
                                    accepted.add(new Write(mutex.fencingToken(), writer));
                                } else {
                                    refusedLeases.add(session.leaseId());
                                }
                            }
                            Thread.sleep(3);
                        }
                        currentHolderLease.compareAndSet(session.leaseId(), 0);
                        mutex.unlock();
                    }
                } finally {
                    session.close();
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(180, TimeUnit.SECONDS);
        }
        finished.set(true);
        chaos.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        pool.shutdown();

        assertTrue(!revoked.isEmpty(), "the test revoked no holder's lease");
        assertTrue(revoked.containsAll(refusedLeases), "only holders whose lease was lost were refused: refused "
                + refusedLeases + ", revoked " + revoked);
        // one holder at a time, as the resource saw it: each token's writes are one unbroken run by one writer
        java.util.Map<Long, Integer> writerOfToken = new java.util.HashMap<>();
        java.util.Set<Long> closedTokens = new java.util.HashSet<>();
        long previous = -1;
        for (Write write : accepted) {
            Integer writer = writerOfToken.putIfAbsent(write.token(), write.writer());
            assertTrue(writer == null || writer == write.writer(), "two holders shared token " + write.token());
            if (write.token() != previous) {
                assertTrue(closedTokens.add(write.token()), "token " + write.token() + " wrote again after a later one");
                previous = write.token();
            }
        }
        assertTrue(accepted.size() >= writesPerHold, "nothing was written");
    }

    @Test
    void aHolderWhoseLeaseIsRevokedLosesTheLockAndItsTokenIsRefused() throws Exception {
        FencedResource resource = new FencedResource();
        try (Session first = Session.create(cairn, Duration.ofSeconds(3));
             Session second = Session.create(cairn, Duration.ofSeconds(3))) {
            Mutex a = new Mutex(first, "mutex/revoked");
            Mutex b = new Mutex(second, "mutex/revoked");
            a.lock();
            long staleToken = a.fencingToken();
            revoke(first.leaseId()); // a's lease ends (as after a long pause): its key goes with it

            assertTrue(b.tryLock(Duration.ofSeconds(TIMEOUT_SECONDS)), "the next waiter takes over");
            assertTrue(b.fencingToken() > staleToken);
            assertTrue(resource.enter(b.fencingToken()));
            resource.leave();
            assertFalse(resource.enter(staleToken), "the former holder, unaware, is fenced off by its token");

            // a transaction guarded by the stale hold does not run
            var guarded = cairn.kv().txn(TxnRequest.empty().when(a.isOwner())
                    .then(PutRequest.of(Bytes.fromUtf8("mutex/revoked-data"), Bytes.fromUtf8("stale")))).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertFalse(guarded.succeeded());
            assertTrue(cairn.kv().txn(TxnRequest.empty().when(b.isOwner())).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).succeeded());

            first.done().get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // the keep-alive learns the lease is gone
            assertFalse(first.isAlive());
            b.unlock();
        }
    }

    @Test
    void aWaiterWhoseLeaseEndsWhileWaitingIsNotGrantedTheLock() throws Exception {
        try (Session holder = Session.create(cairn, Duration.ofSeconds(10));
             Session waiter = Session.create(cairn, Duration.ofSeconds(10))) {
            Mutex held = new Mutex(holder, "mutex/expired-waiter");
            held.lock();
            Mutex waiting = new Mutex(waiter, "mutex/expired-waiter");
            CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> {
                try {
                    waiting.lock();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitKey(waiting.key());
            revoke(waiter.leaseId());
            held.unlock();
            var failure = assertThrows(ExecutionException.class, () -> attempt.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(CairnException.class, failure.getCause());
            assertEquals(Mutex.SESSION_EXPIRED, failure.getCause().getMessage());
        }
    }

    @Test
    void tryLockGivesUpAfterTheTimeoutAndWithdraws() throws Exception {
        try (Session holder = Session.create(cairn, Duration.ofSeconds(10));
             Session other = Session.create(cairn, Duration.ofSeconds(10))) {
            Mutex held = new Mutex(holder, "mutex/try");
            held.lock();
            Mutex late = new Mutex(other, "mutex/try");
            assertFalse(late.tryLock(Duration.ofMillis(300)));
            assertTrue(cairn.kv().get(late.key()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).kvs().isEmpty(),
                    "the waiter's key is withdrawn");
            assertThrows(IllegalStateException.class, late::fencingToken);
            held.unlock();
            assertTrue(late.tryLock(Duration.ofSeconds(TIMEOUT_SECONDS)));
            late.unlock();
        }
    }

    @Test
    void theMutexAndTheLockServiceShareEtcdsKeyLayoutAndQueue() throws Exception {
        try (Session session = Session.create(cairn, Duration.ofSeconds(10));
             Session serviceHolder = Session.create(cairn, Duration.ofSeconds(10))) {
            Mutex mutex = new Mutex(session, "mutex/shared");
            assertEquals("mutex/shared/" + Long.toHexString(session.leaseId()), mutex.key().toUtf8());
            mutex.lock();
            var viaService = cairn.lock().lock(new LockRequest(Bytes.fromUtf8("mutex/shared"), serviceHolder.leaseId()));
            awaitKey(Bytes.fromUtf8("mutex/shared/" + Long.toHexString(serviceHolder.leaseId())));
            assertFalse(viaService.isDone(), "the service's locker waits behind the recipe's holder");
            mutex.unlock();
            var held = viaService.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Mutex again = new Mutex(session, "mutex/shared");
            assertFalse(again.tryLock(Duration.ofMillis(300)), "and the recipe waits behind the service's holder");
            cairn.lock().unlock(new UnlockRequest(held.key())).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(again.tryLock(Duration.ofSeconds(TIMEOUT_SECONDS)));
            again.unlock();
        }
    }

}
