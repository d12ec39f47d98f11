package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class QueueTest extends EmbeddedCairn {

    @Test
    void concurrentProducersAndConsumersDeliverEveryItemExactlyOnce() throws Exception {
        int producers = 3;
        int consumers = 3;
        int perProducer = 40;
        int total = producers * perProducer;
        DistributedQueue queue = new DistributedQueue(cairn, "queue/work");
        Map<String, Integer> delivered = new ConcurrentHashMap<>();
        Map<Integer, List<Integer>> orderPerProducer = new ConcurrentHashMap<>();
        AtomicInteger taken = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(producers + consumers);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            work.add(pool.submit(() -> {
                List<String> mine = new ArrayList<>();
                while (taken.get() < total) {
                    var item = queue.poll(Duration.ofMillis(500));
                    if (item.isPresent()) {
                        taken.incrementAndGet();
                        mine.add(item.get().toUtf8());
                    }
                }
                for (String item : mine) {
                    delivered.merge(item, 1, Integer::sum);
                }
                return null;
            }));
        }
        for (int p = 0; p < producers; p++) {
            int producer = p;
            work.add(pool.submit(() -> {
                for (int i = 0; i < perProducer; i++) {
                    queue.enqueue(Bytes.fromUtf8(producer + ":" + i));
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(180, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(total, delivered.size(), "every item was delivered");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "no item was delivered twice: " + delivered);
        assertEquals(0, queue.size());
    }

    @Test
    void itemsLeaveInTheOrderTheyWereEnqueued() throws Exception {
        DistributedQueue queue = new DistributedQueue(cairn, "queue/fifo");
        for (int i = 0; i < 10; i++) {
            queue.enqueue(Bytes.fromUtf8("item-" + i));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("item-" + i, queue.dequeue().toUtf8());
        }
        assertTrue(queue.poll(Duration.ofMillis(200)).isEmpty());
    }

    @Test
    void aPriorityQueueServesTheLowestPriorityNumberFirstAndFifoWithinOne() throws Exception {
        PriorityQueue queue = new PriorityQueue(cairn, "queue/priority");
        queue.enqueue(Bytes.fromUtf8("low-1"), 20);
        queue.enqueue(Bytes.fromUtf8("urgent-1"), 0);
        queue.enqueue(Bytes.fromUtf8("low-2"), 20);
        queue.enqueue(Bytes.fromUtf8("urgent-2"), 0);
        queue.enqueue(Bytes.fromUtf8("middle"), 5);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            order.add(queue.dequeue().toUtf8());
        }
        assertEquals(List.of("urgent-1", "urgent-2", "middle", "low-1", "low-2"), order);
    }

    @Test
    void aBlockedConsumerGetsTheNextItem() throws Exception {
        DistributedQueue queue = new DistributedQueue(cairn, "queue/blocking");
        var consumer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return queue.dequeue().toUtf8();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        queue.enqueue(Bytes.fromUtf8("late"));
        assertEquals("late", consumer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
}
