package io.cairn.conformance.linearizability;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static io.cairn.conformance.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.cairn.conformance.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder under real threads, end to end with the checker. */
class HistoryRecorderLinearizabilityTest {

    /** Eight threads on a store that serializes every operation under one lock: linearizable by construction. */
    @Test
    void concurrentClientsOfALockedStoreRecordALinearizableHistory() throws InterruptedException {
        ReferenceKv store = new ReferenceKv();
        HistoryRecorder recorder = new HistoryRecorder();
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong leases = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(client);
                awaitQuietly(start);
                for (int i = 0; i < 400; i++) {
                    String key = "k" + random.nextInt(5);
                    String value = client + "-" + i;
                    Operation operation = switch (random.nextInt(7)) {
                        case 0, 1 -> Operation.get(key);
                        case 2, 3 -> new Operation.Put(key, value, 0, random.nextBoolean());
                        case 4 -> Operation.delete(key);
                        case 5 -> Operation.casValue(key, client + "-" + (i - 1), value);
                        default -> new Operation.LeaseGrant(leases.incrementAndGet());
                    };
                    HistoryRecorder.Invocation call = recorder.invoke(client, operation);
                    Result result;
                    synchronized (store) {
                        result = store.apply(operation);
                    }
                    if (i % 50 == 49) {
                        call.unknown("simulated timeout after the store applied it");
                    } else {
                        call.ok(result);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        List<HistoryEntry> history = recorder.history();
        assertEquals(clients * 400, history.size());
        CheckResult result = LinearizabilityChecker.checkKv(history);
        assertEquals(LINEARIZABLE, result.verdict(), result.explanation());
    }

    /**
     * A store whose reads come from a replica that is refreshed only every third write: its clients see
     * stale values, and the checker says so, naming the key.
     */
    @Test
    void staleReplicaReadsAreCaught() {
        ReferenceKv leader = new ReferenceKv();
        ReferenceKv replica = new ReferenceKv();
        List<Operation> unapplied = new ArrayList<>();
        HistoryRecorder recorder = new HistoryRecorder();
        for (int i = 0; i < 6; i++) {
            Operation write = Operation.put("a", "v" + i);
            HistoryRecorder.Invocation call = recorder.invoke(1, write);
            call.ok(leader.apply(write));
            unapplied.add(write);
            if (unapplied.size() == 3) {
                unapplied.forEach(replica::apply);
                unapplied.clear();
            }
            HistoryRecorder.Invocation read = recorder.invoke(2, Operation.get("a"));
            read.ok(replica.apply(Operation.get("a")));
        }
        CheckResult result = LinearizabilityChecker.checkKv(recorder.history());
        assertEquals(NOT_LINEARIZABLE, result.verdict(), result.explanation());
        assertEquals("key a", result.partition());
        assertInstanceOf(Operation.Get.class, result.stuck().get(0).operation(), result.explanation());
    }

    @Test
    void pendingInvocationsAreUnknownAndCompletionIsOnce() {
        long[] now = {100};
        HistoryRecorder recorder = new HistoryRecorder(() -> now[0]++);
        HistoryRecorder.Invocation put = recorder.invoke(1, Operation.put("a", "1"));
        recorder.invoke(2, Operation.put("a", "2")); // never completed: its client is still waiting
        put.ok(Result.put(0));
        assertThrows(IllegalStateException.class, () -> put.ok(Result.put(0)));
        assertThrows(IllegalArgumentException.class, () -> recorder.invoke(3, Operation.get("a")).ok(Result.put(0)));
        List<HistoryEntry> history = recorder.history();
        assertEquals(new Outcome.Unknown("pending"), history.get(1).outcome());
        assertEquals(100, history.get(0).invokeNanos());
        assertEquals(102, history.get(0).responseNanos());
        assertTrue(history.get(2).outcome() instanceof Outcome.Unknown, "the invocation whose completion was refused stays pending");
        // The pending put may still apply: a read of either value is linearizable.
        List<HistoryEntry> withRead = new ArrayList<>(history);
        withRead.add(new HistoryEntry(10, 4, 200, 201, Operation.get("a"), new Outcome.Ok(Result.get("2"))));
        assertEquals(LINEARIZABLE, LinearizabilityChecker.checkKv(withRead).verdict());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
