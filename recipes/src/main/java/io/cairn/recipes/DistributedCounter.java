package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;

import java.util.List;
import java.util.Objects;

/**
 * A 64-bit counter in one key, its value the decimal text of the number (absent means 0), changed by
 * compare-and-set transactions on the key's mod revision, so concurrent increments from any number of
 * processes are never lost.
 * {@snippet :
 * DistributedCounter visits = new DistributedCounter(cairn, "stats/visits");
 * long now = visits.incrementAndGet();
 * }
 *
 * <p>Guarantees: every change is atomic and linearizable; each successful {@link #addAndGet} returns a
 * distinct value. Limits: under heavy contention callers retry (optimistic concurrency), so throughput
 * falls with the number of writers; a value that is not a decimal number fails with
 * {@link NumberFormatException}. Threading: thread-safe.
 */
public final class DistributedCounter {

    private final Cairn cairn;
    private final Bytes key;

    /** The counter at {@code key}. */
    public DistributedCounter(Cairn cairn, String key) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.key = Bytes.fromUtf8(Objects.requireNonNull(key, "key"));
    }

    /** The current value (linearizable read). */
    public long get() throws InterruptedException {
        return valueOf(Waits.join(cairn.kv().get(key)).kvs());
    }

    /** Adds {@code delta} and returns the new value. */
    public long addAndGet(long delta) throws InterruptedException {
        while (true) {
            RangeResponse now = Waits.join(cairn.kv().get(key));
            long next = valueOf(now.kvs()) + delta;
            if (swap(now.kvs(), next)) {
                return next;
            }
        }
    }

    /** Adds one and returns the new value. */
    public long incrementAndGet() throws InterruptedException {
        return addAndGet(1);
    }

    /** Sets the value to {@code update} if it is {@code expected}; returns whether it was. */
    public boolean compareAndSet(long expected, long update) throws InterruptedException {
        while (true) {
            RangeResponse now = Waits.join(cairn.kv().get(key));
            if (valueOf(now.kvs()) != expected) {
                return false;
            }
            if (swap(now.kvs(), update)) {
                return true;
            }
            // the key changed between read and write, perhaps to the same value: look again
        }
    }

    private boolean swap(List<KeyValue> seen, long next) throws InterruptedException {
        Compare unchanged = seen.isEmpty() ? Compare.version(key, Compare.Result.EQUAL, 0)
                : Compare.modRevision(key, Compare.Result.EQUAL, seen.get(0).modRevision());
        TxnResponse done = Waits.join(cairn.kv().txn(TxnRequest.empty().when(unchanged)
                .then(PutRequest.of(key, Bytes.fromUtf8(Long.toString(next))))));
        return done.succeeded();
    }

    private static long valueOf(List<KeyValue> kvs) {
        return kvs.isEmpty() ? 0 : Long.parseLong(kvs.get(0).value().toUtf8());
    }
}
