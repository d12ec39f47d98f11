package io.cairn.server;

import io.cairn.api.CompactedException;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.KV;
import io.cairn.server.mvcc.MvccStore;

import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Runs an {@link AutoCompaction} policy on a thread of its own: ticks at the policy's interval,
 * and when this member leads, proposes the compaction the policy asks for through the log (as a
 * client's Compact, so every member compacts at the same entry). Followers sample but never propose.
 *
 * <p>Threading: one scheduler thread; {@link #close} may be called from any thread.
 */
final class AutoCompactor implements AutoCloseable {

    private final AutoCompaction settings;
    private final AutoCompaction.Policy policy;
    private final MvccStore store;
    private final KV kv;
    private final BooleanSupplier isLeader;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-auto-compaction");
        t.setDaemon(true);
        return t;
    });

    AutoCompactor(AutoCompaction settings, MvccStore store, KV kv, BooleanSupplier isLeader) {
        this.settings = settings;
        this.policy = settings.policy(System.nanoTime());
        this.store = store;
        this.kv = kv;
        this.isLeader = isLeader;
    }

    void start() {
        if (!settings.enabled()) {
            return;
        }
        long every = settings.tickInterval().toNanos();
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        OptionalLong target = policy.tick(now, store.currentRevision(), store.compactRevision());
        if (target.isEmpty() || !isLeader.getAsBoolean()) {
            return;
        }
        long revision = target.getAsLong();
        try {
            kv.compact(new CompactionRequest(revision, false)).get(30, TimeUnit.SECONDS);
            policy.compacted(System.nanoTime(), revision);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CompactedException) {
                policy.compacted(System.nanoTime(), revision); // compacted already, to there or beyond
            }
            // otherwise (leader lost, timeout): the next tick tries again, as etcd's compactor does
        } catch (TimeoutException e) {
            // the next tick tries again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a stopped node; the scheduler must keep its thread for close()
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
