package io.cairn.transport.http;

import io.undertow.server.HttpServerExchange;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where long-lived responses run: v3 watch, observe and snapshot streams and v2 long polls each hold a
 * stream thread (they write with Undertow's blocking output) for as long as they stay open. At most
 * {@code maxOpen} are open at once on an endpoint; past that a new one is refused at once (its route answers
 * with etcd's "etcdserver: too many requests"), so clients cannot grow the endpoint's threads without bound.
 *
 * <p>Platform threads, not virtual ones: a blocking write that waits for the client waits in XNIO's
 * {@code SelectorUtils.await}, a blocking {@code Selector.select} that holds its carrier thread on JDK 21, so
 * slow clients on virtual threads would tie up the carriers too. Threading: thread-safe.
 */
final class StreamAdmission {

    /** Streams open at once on an endpoint, at most, by default (each holds a thread). */
    static final int DEFAULT_MAX_OPEN = 8192;

    private final ExecutorService threads;
    private final int maxOpen;
    private final AtomicInteger open = new AtomicInteger();

    StreamAdmission(int maxOpen) {
        if (maxOpen <= 0) {
            throw new IllegalArgumentException("maxOpen must be positive, got " + maxOpen);
        }
        this.maxOpen = maxOpen;
        AtomicInteger number = new AtomicInteger();
        // threads grow with the open streams (bounded by maxOpen) and go once idle
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "cairn-http-stream-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    static StreamAdmission withDefaults() {
        return new StreamAdmission(DEFAULT_MAX_OPEN);
    }

    /**
     * Reserves a place for one stream: false when {@code maxOpen} streams are open. A reserved place must
     * be handed to {@link #dispatch}, which frees it when the stream ends, or given back with {@link #release}.
     */
    boolean tryReserve() {
        if (open.incrementAndGet() > maxOpen) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place {@link #tryReserve} reserved for a stream that did not start. */
    void release() {
        open.decrementAndGet();
    }

    /** Runs {@code stream}, for which a place is reserved, on a stream thread; the place is freed when it returns. */
    void dispatch(HttpServerExchange exchange, Runnable stream) {
        exchange.dispatch(threads, () -> {
            try {
                stream.run();
            } finally {
                open.decrementAndGet();
            }
        });
    }

    /** Stops the stream threads (interrupting the streams still open), waiting a little for them to end. */
    void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
