package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A barrier, as etcd's {@code recipes/v3.Barrier}: while its key exists, {@link #await()} blocks;
 * {@link #release()} deletes the key and lets every waiter through.
 * {@snippet :
 * Barrier deploy = new Barrier(cairn, "barriers/deploy");
 * deploy.hold();           // coordinator
 * deploy.await();          // workers block here
 * deploy.release();        // coordinator: everyone proceeds
 * }
 *
 * <p>Guarantees: a waiter passes only once the key is absent. Limits: the key has no lease, so a
 * coordinator that dies while holding leaves the barrier closed until someone releases it.
 * Threading: thread-safe.
 */
public final class Barrier {

    private final Cairn cairn;
    private final Bytes key;

    /** The barrier at {@code key}. */
    public Barrier(Cairn cairn, String key) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.key = Bytes.fromUtf8(Objects.requireNonNull(key, "key"));
    }

    /** Closes the barrier (creates the key); returns false if it was closed already. */
    public boolean hold() throws InterruptedException {
        return Waits.join(cairn.kv().txn(TxnRequest.empty()
                .when(Compare.createRevision(key, Compare.Result.EQUAL, 0))
                .then(PutRequest.of(key, Bytes.EMPTY)))).succeeded();
    }

    /** Opens the barrier (deletes the key), letting every waiter through. */
    public void release() throws InterruptedException {
        Waits.join(cairn.kv().deleteRange(DeleteRangeRequest.of(key)));
    }

    /** Blocks until the barrier is open. */
    public void await() throws InterruptedException {
        try {
            await(Waits.FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Waits at most {@code timeout} for the barrier to open; returns whether it did. */
    public boolean await(Duration timeout) throws InterruptedException {
        try {
            await(Waits.deadline(timeout));
            return true;
        } catch (TimeoutException expired) {
            return false;
        }
    }

    private void await(long deadline) throws InterruptedException, TimeoutException {
        while (true) {
            RangeResponse now = Waits.join(cairn.kv().get(key), deadline);
            if (now.kvs().isEmpty()
                    || Waits.awaitDelete(cairn, key, now.header().revision() + 1, deadline)) {
                return;
            }
        }
    }
}
