package io.cairn.transport.http;

import io.undertow.server.HttpServerExchange;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where v2 keys requests run: a fixed pool of threads (a v2 request blocks its thread while the store
 * answers), admitting at most {@code maxOutstanding} requests running or waiting; past that a request is
 * refused at once with 503 and {@code {"message":"etcdserver: too many requests"}} (etcd's overload error in
 * its HTTP error shape), so a flood of v2 requests cannot grow threads or queues without bound.
 * Long polls ({@code wait=true}) leave the pool once they start waiting (see {@link V2Keys}).
 * Threading: thread-safe.
 */
final class V2Admission {

    /** Threads of the default pool: as many v2 requests wait on the store at once. */
    static final int DEFAULT_THREADS = 32;
    /** Requests running or waiting for a thread, at most, by default. */
    static final int DEFAULT_MAX_OUTSTANDING = 1024;

    static final String TOO_MANY_REQUESTS = "etcdserver: too many requests";

    private final ExecutorService threads;
    private final int maxOutstanding;
    private final AtomicInteger outstanding = new AtomicInteger();

    /** Takes ownership of {@code threads}: {@link #close()} stops them. */
    V2Admission(ExecutorService threads, int maxOutstanding) {
        if (maxOutstanding <= 0) {
            throw new IllegalArgumentException("maxOutstanding must be positive, got " + maxOutstanding);
        }
        this.threads = threads;
        this.maxOutstanding = maxOutstanding;
    }

    static V2Admission withDefaults() {
        AtomicInteger number = new AtomicInteger();
        return new V2Admission(Executors.newFixedThreadPool(DEFAULT_THREADS, task -> {
            Thread thread = new Thread(task, "cairn-http-v2-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }), DEFAULT_MAX_OUTSTANDING);
    }

    /**
     * Dispatches {@code exchange} to run {@code request} on the pool, or answers 503 when
     * {@code maxOutstanding} requests are already admitted.
     */
    void dispatch(HttpServerExchange exchange, Runnable request) {
        if (outstanding.incrementAndGet() > maxOutstanding) {
            outstanding.decrementAndGet();
            Responses.json(exchange, 503, "{\"message\":\"" + TOO_MANY_REQUESTS + "\"}");
            return;
        }
        exchange.dispatch(threads, () -> {
            try {
                request.run();
            } finally {
                outstanding.decrementAndGet();
            }
        });
    }

    void close() {
        threads.shutdownNow();
    }
}
