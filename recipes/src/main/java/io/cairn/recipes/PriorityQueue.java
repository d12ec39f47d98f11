package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A priority queue under a key prefix, as etcd's {@code recipes/v3.PriorityQueue}: an item of priority
 * {@code p} is a key {@code <name>/<p as 5 digits>/<unique>}; the lowest priority number leaves first and,
 * within one priority, the oldest item (create revision). Taking an item is a guarded delete, as in
 * {@link DistributedQueue}, whose guarantees and limits apply.
 * {@snippet :
 * PriorityQueue alerts = new PriorityQueue(cairn, "queues/alerts");
 * alerts.enqueue(Bytes.fromUtf8("disk full"), 0);      // 0 is served first
 * alerts.enqueue(Bytes.fromUtf8("cert expires"), 10);
 * Bytes next = alerts.dequeue();                       // "disk full"
 * }
 */
public final class PriorityQueue {

    /** The highest priority number (served last). */
    public static final int MAX_PRIORITY = 99_999;

    private final Cairn cairn;
    private final Bytes prefix;

    /** The priority queue {@code name}. */
    public PriorityQueue(Cairn cairn, String name) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.prefix = Keys.prefix(Objects.requireNonNull(name, "name"));
    }

    /** Adds {@code value} with {@code priority}, from 0 (served first) to {@link #MAX_PRIORITY}. */
    public void enqueue(Bytes value, int priority) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be in [0, " + MAX_PRIORITY + "], not " + priority);
        }
        Bytes bucket = bucket(priority);
        while (true) {
            Bytes key = Keys.unique(bucket);
            if (Waits.join(cairn.kv().txn(TxnRequest.empty()
                    .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                    .then(PutRequest.of(key, value)))).succeeded()) {
                return;
            }
        }
    }

    /** Takes the best item, blocking until there is one. */
    public Bytes dequeue() throws InterruptedException {
        try {
            return take(Waits.FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Takes the best item, waiting at most {@code timeout} for one. */
    public Optional<Bytes> poll(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(take(Waits.deadline(timeout)));
        } catch (TimeoutException expired) {
            return Optional.empty();
        }
    }

    private Bytes take(long deadline) throws InterruptedException, TimeoutException {
        while (true) {
            // the smallest key names the best non-empty priority
            RangeResponse lowest = Waits.join(cairn.kv().range(RangeRequest.prefix(prefix).withLimit(1).withKeysOnly(true)), deadline);
            if (lowest.kvs().isEmpty()) {
                Waits.awaitEvent(cairn, WatchCreateRequest.prefix(prefix).withStartRevision(lowest.header().revision() + 1),
                        e -> e.type() == Event.Type.PUT, deadline);
                continue;
            }
            String key = lowest.kvs().get(0).key().toUtf8();
            String bucketText = key.substring(0, key.lastIndexOf('/') + 1);
            RangeResponse head = Waits.join(cairn.kv().range(Keys.firstCreated(Bytes.fromUtf8(bucketText))), deadline);
            if (head.kvs().isEmpty()) {
                continue; // taken meanwhile
            }
            Optional<Bytes> taken = DistributedQueue.takeItem(cairn, head.kvs().get(0), deadline);
            if (taken.isPresent()) {
                return taken.get();
            }
        }
    }

    private Bytes bucket(int priority) {
        return prefix.concat(Bytes.fromUtf8(String.format("%05d/", priority)));
    }
}
