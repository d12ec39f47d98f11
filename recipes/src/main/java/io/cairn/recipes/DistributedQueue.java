package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A FIFO queue of byte values under a key prefix, as etcd's {@code recipes/v3.Queue}: each item is a key
 * {@code <name>/<unique>}; items leave in the order their keys were created (create revision, one total
 * order for all producers), and a consumer takes an item by deleting its key in a transaction that
 * succeeds for one consumer only.
 * {@snippet :
 * DistributedQueue jobs = new DistributedQueue(cairn, "queues/jobs");
 * jobs.enqueue(Bytes.fromUtf8("resize 42.png"));     // producer
 * Bytes job = jobs.dequeue();                        // consumer: blocks until an item is there
 * }
 *
 * <p>Guarantees: every enqueued item is dequeued at most once across all consumers, and exactly once
 * while consumers keep dequeuing; FIFO by commit order of the enqueues. Limits: an item is removed when
 * taken, so a consumer that dies after {@code dequeue} returns loses it (acknowledge-after-processing
 * needs a lease-held claim key, not provided here); consumers contending for the head retry, so
 * throughput does not grow with their number. Threading: thread-safe.
 */
public final class DistributedQueue {

    private final Cairn cairn;
    private final Bytes prefix;

    /** The queue {@code name}. */
    public DistributedQueue(Cairn cairn, String name) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.prefix = Keys.prefix(Objects.requireNonNull(name, "name"));
    }

    /** Appends {@code value}. */
    public void enqueue(Bytes value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        while (true) {
            Bytes key = Keys.unique(prefix);
            if (Waits.join(cairn.kv().txn(TxnRequest.empty()
                    .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                    .then(PutRequest.of(key, value)))).succeeded()) {
                return;
            }
        }
    }

    /** Takes the oldest item, blocking until there is one. */
    public Bytes dequeue() throws InterruptedException {
        try {
            return take(prefix, Waits.FOREVER).orElseThrow();
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Takes the oldest item, waiting at most {@code timeout} for one. */
    public Optional<Bytes> poll(Duration timeout) throws InterruptedException {
        try {
            return take(prefix, Waits.deadline(timeout));
        } catch (TimeoutException expired) {
            return Optional.empty();
        }
    }

    /** The number of items now queued. */
    public long size() throws InterruptedException {
        return Waits.join(cairn.kv().range(io.cairn.api.kv.RangeRequest.prefix(prefix).withCountOnly(true))).count();
    }

    /**
     * Takes the oldest item under {@code itemPrefix} by a guarded delete, waiting for a put when empty.
     * Shared with {@link PriorityQueue}, which picks the prefix of the best priority first.
     */
    Optional<Bytes> take(Bytes itemPrefix, long deadline) throws InterruptedException, TimeoutException {
        while (true) {
            RangeResponse head = Waits.join(cairn.kv().range(Keys.firstCreated(itemPrefix)), deadline);
            if (head.kvs().isEmpty()) {
                Waits.awaitEvent(cairn, WatchCreateRequest.prefix(itemPrefix).withStartRevision(head.header().revision() + 1),
                        e -> e.type() == Event.Type.PUT, deadline);
                continue;
            }
            Optional<Bytes> taken = takeItem(cairn, head.kvs().get(0), deadline);
            if (taken.isPresent()) {
                return taken;
            }
        }
    }

    /**
     * Deletes {@code item} if it is unchanged; its value if this caller took it. The delete, once sent,
     * is waited for whatever the caller's deadline: giving up on it could let it succeed unseen and
     * lose the item, so a poll may overrun its timeout by one round trip.
     */
    static Optional<Bytes> takeItem(Cairn cairn, KeyValue item, long deadline) throws InterruptedException, TimeoutException {
        boolean mine = Waits.join(cairn.kv().txn(TxnRequest.empty()
                .when(Compare.modRevision(item.key(), Compare.Result.EQUAL, item.modRevision()))
                .then(DeleteRangeRequest.of(item.key()))), Waits.FOREVER).succeeded();
        return mine ? Optional.of(item.value()) : Optional.empty();
    }
}
