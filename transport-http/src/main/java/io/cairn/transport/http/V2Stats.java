package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * etcd 2.3's store statistics for {@code GET /v2/stats/store}: success and failure counts per v2 operation,
 * expirations, and the watchers waiting.
 *
 * <p>Where the counts come from, and how they differ from etcd's: etcd counts in its v2 store on every
 * member, writes as each member applies them. Here the v2 store is a view that each HTTP endpoint keeps on
 * the v3 store, so
 * <ul>
 *   <li>successful writes and expirations are counted from a watch of the v2 key space (every member sees
 *       every applied v2 write, as in etcd), from the first v2 request this endpoint served on: not since
 *       the cluster began, and not kept across restarts (etcd keeps them in its v2 snapshot);
 *   <li>failed writes and reads (both kinds) are counted where they are served: this endpoint's only, where
 *       etcd counts a failed write on every member that applies it;
 *   <li>{@code watchers} is the number of v2 long polls and streams this endpoint holds open.
 * </ul>
 * The watch starts only once v2 is used, so that endpoints of clusters that never speak v2 hold no watch.
 * Threading: thread-safe; the watch's callbacks run on the api's threads.
 */
final class V2Stats implements AutoCloseable {

    /** The v2 operations etcd counts, with the JSON name stem etcd gives each. */
    enum Operation {
        GET("gets"), SET("sets"), DELETE("delete"), UPDATE("update"), CREATE("create"),
        COMPARE_AND_SWAP("compareAndSwap"), COMPARE_AND_DELETE("compareAndDelete");

        final String stem;

        Operation(String stem) {
            this.stem = stem;
        }

        /** The operation a v2 write recorded under its action name, or null. */
        static Operation ofAction(String action) {
            return switch (action) {
                case "set" -> SET;
                case "create" -> CREATE;
                case "update" -> UPDATE;
                case "compareAndSwap" -> COMPARE_AND_SWAP;
                case "delete" -> DELETE;
                case "compareAndDelete" -> COMPARE_AND_DELETE;
                default -> null;
            };
        }
    }

    private static final long RESUME_PAUSE_MILLIS = 500;

    private final Cairn cairn;
    private final LongSupplier watchers;
    private final Map<Operation, AtomicLong> successes = new EnumMap<>(Operation.class);
    private final Map<Operation, AtomicLong> failures = new EnumMap<>(Operation.class);
    private final AtomicLong expirations = new AtomicLong();
    private boolean following; // guarded by this
    private boolean closed; // guarded by this
    private Flow.Subscription subscription; // guarded by this
    private long nextRevision; // guarded by this: where a resumed watch starts

    V2Stats(Cairn cairn, LongSupplier watchers) {
        this.cairn = cairn;
        this.watchers = watchers;
        for (Operation operation : Operation.values()) {
            successes.put(operation, new AtomicLong());
            failures.put(operation, new AtomicLong());
        }
    }

    /** A read served here. */
    void read(boolean succeeded) {
        (succeeded ? successes : failures).get(Operation.GET).incrementAndGet();
    }

    /** A write that failed here (its successes are counted when applied). */
    void writeFailed(Operation operation) {
        failures.get(operation).incrementAndGet();
    }

    /**
     * Starts counting applied writes and expirations after the revision {@code currentRevision} reads, once
     * (later calls read nothing).
     */
    void follow(LongSupplier currentRevision) {
        synchronized (this) {
            if (following || closed) {
                return;
            }
        }
        long current = currentRevision.getAsLong();
        synchronized (this) {
            if (following || closed) {
                return;
            }
            following = true;
            nextRevision = current + 1;
        }
        subscribe();
    }

    private void subscribe() {
        long from;
        synchronized (this) {
            if (closed) {
                return;
            }
            from = nextRevision;
        }
        cairn.watch().watch(WatchCreateRequest.prefix(V2Node.PREFIX).withStartRevision(from).withPrevKv(true))
                .subscribe(new Flow.Subscriber<>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        synchronized (V2Stats.this) {
                            if (closed) {
                                s.cancel();
                                return;
                            }
                            subscription = s;
                        }
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(WatchResponse response) {
                        if (response.canceled()) {
                            synchronized (V2Stats.this) {
                                // compacted: what lies before the compaction is not counted
                                nextRevision = Math.max(nextRevision, response.compactRevision());
                            }
                            resumeLater();
                            return;
                        }
                        count(response.events());
                    }

                    @Override
                    public void onError(Throwable failure) {
                        resumeLater();
                    }

                    @Override
                    public void onComplete() {
                        resumeLater();
                    }
                });
    }

    private void resumeLater() {
        synchronized (this) {
            if (closed) {
                return;
            }
            subscription = null;
        }
        CompletableFuture.delayedExecutor(RESUME_PAUSE_MILLIS, TimeUnit.MILLISECONDS).execute(this::subscribe);
    }

    /** Counts one watch response's revisions: the write each v2 revision records, or its expirations. */
    private void count(List<Event> events) {
        int i = 0;
        while (i < events.size()) {
            long revision = V2Events.revision(events.get(i));
            List<Event> sameRevision = new ArrayList<>();
            while (i < events.size() && V2Events.revision(events.get(i)) == revision) {
                sameRevision.add(events.get(i++));
            }
            Operation written = null;
            for (Event event : sameRevision) {
                if (event.type() == Event.Type.PUT && event.kv().key().equals(V2Node.ACTION_KEY)) {
                    String record = new String(event.kv().value().toByteArray(), StandardCharsets.UTF_8);
                    written = Operation.ofAction(record.split("\n", 2)[0]);
                }
            }
            if (written != null) {
                successes.get(written).incrementAndGet();
            } else {
                expirations.addAndGet(V2Events.of(revision, sameRevision).stream()
                        .filter(e -> e.action().equals("expire")).count());
            }
            synchronized (this) {
                nextRevision = Math.max(nextRevision, revision + 1);
            }
        }
    }

    /** etcd's {@code store.Stats} JSON, in its field order. */
    String json() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        for (Operation operation : Operation.values()) {
            body.put(operation.stem + "Success", successes.get(operation).get());
            body.put(operation.stem + "Fail", failures.get(operation).get());
        }
        body.put("expireCount", expirations.get());
        body.put("watchers", watchers.getAsLong());
        return body.toString();
    }

    @Override
    public void close() {
        Flow.Subscription current;
        synchronized (this) {
            closed = true;
            current = subscription;
            subscription = null;
        }
        if (current != null) {
            current.cancel();
        }
    }
}
