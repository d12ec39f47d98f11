package io.cairn.benchmark.load;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a closed loop per client: each client has exactly one request in flight and sends the next
 * when the previous one completes, until {@code total} requests were sent or the duration is over.
 * Everything is asynchronous: completions arrive on gRPC's threads and send the next request from
 * there; a rate limit delays sends on one scheduler thread. Latency is from send to completion, in
 * nanoseconds.
 */
final class Driver {

    /** One asynchronous request. Implementations call exactly one of the completion's methods, once. */
    interface Operation {
        void send(int client, long sequence, Completion completion);
    }

    /** How an operation reports its end; callable from any thread. */
    interface Completion {
        void succeeded();

        void failed(Throwable error);
    }

    private final int clients;
    private final long total;
    private final long deadlineNanos;
    private final double rate;
    private final Operation operation;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong issued = new AtomicLong();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final Histogram latencies = new ConcurrentHistogram(3);
    private final CountDownLatch clientsDone;
    private long startNanos;

    Driver(int clients, long total, Duration duration, double rate, Operation operation) {
        this.clients = clients;
        this.total = total;
        this.rate = rate;
        this.operation = operation;
        this.clientsDone = new CountDownLatch(clients);
        this.deadlineNanos = duration == null ? Long.MAX_VALUE : duration.toNanos();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "load-scheduler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs to the end and returns the measurements. */
    Measured run() throws InterruptedException {
        startNanos = System.nanoTime();
        try {
            for (int client = 0; client < clients; client++) next(client);
            clientsDone.await();
            long elapsed = System.nanoTime() - startNanos;
            return new Measured(succeeded.sum(), failed.sum(), elapsed, latencies, Map.copyOf(toCounts()));
        } finally {
            scheduler.shutdownNow();
        }
    }

    private Map<String, Long> toCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        errorKinds.forEach((kind, count) -> counts.put(kind, count.sum()));
        return counts;
    }

    private void next(int client) {
        long sequence = issued.getAndIncrement();
        long now = System.nanoTime() - startNanos;
        if (sequence >= total || now >= deadlineNanos) {
            clientsDone.countDown();
            return;
        }
        if (rate > 0) {
            long slot = (long) (sequence * 1e9 / rate);
            if (slot > now) {
                scheduler.schedule(() -> send(client, sequence), slot - now, TimeUnit.NANOSECONDS);
                return;
            }
        }
        send(client, sequence);
    }

    private void send(int client, long sequence) {
        long sent = System.nanoTime();
        Completion completion = new Completion() {
            @Override
            public void succeeded() {
                latencies.recordValue(System.nanoTime() - sent);
                succeeded.increment();
                next(client);
            }

            @Override
            public void failed(Throwable error) {
                failed.increment();
                errorKinds.computeIfAbsent(describe(error), kind -> new LongAdder()).increment();
                // off this stack: a channel that fails at once would otherwise recurse per request
                scheduler.execute(() -> next(client));
            }
        };
        try {
            operation.send(client, sequence, completion);
        } catch (RuntimeException e) {
            completion.failed(e);
        }
    }

    static String describe(Throwable error) {
        if (error instanceof io.grpc.StatusRuntimeException status) {
            String description = status.getStatus().getDescription();
            return status.getStatus().getCode() + (description == null ? "" : ": " + description);
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    /** What a run measured. */
    record Measured(long succeeded, long failed, long elapsedNanos, Histogram latencies, Map<String, Long> errorKinds) {
    }
}
