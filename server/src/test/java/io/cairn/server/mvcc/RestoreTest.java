package io.cairn.server.mvcc;

import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.spi.storage.Backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A store whose contents a snapshot from the leader replaces ({@link MvccStore#restore}): it then
 * holds the leader's whole history, and no read sees it half-replaced.
 */
class RestoreTest extends MvccTestSupport {

    private Backend leaderBackend;
    private MvccStore leader;
    private long leaderIndex;

    @BeforeEach
    void openLeader() {
        leaderBackend = BACKENDS.create();
        leader = MvccStore.open(leaderBackend, options());
    }

    @AfterEach
    void closeLeader() {
        leader.close();
        BACKENDS.destroy(leaderBackend);
    }

    private long leaderPut(String key, String value) {
        return leader.applyPut(++leaderIndex, io.cairn.api.kv.PutRequest.of(b(key), b(value))).revision();
    }

    private static List<String> history(MvccStore store, long from) {
        List<String> events = new ArrayList<>();
        store.forEachEvent(from, Long.MAX_VALUE, true, e -> events.add(e.type() + " " + e.kv().key().toUtf8() + "@"
                + e.kv().modRevision() + "=" + e.kv().value().toUtf8()
                + e.prevKv().map(p -> " prev " + p.value().toUtf8()).orElse("")));
        return events;
    }

    @Test
    void afterARestoreTheStoreHoldsTheLeadersWholeHistoryAndGoesOnFromIt() {
        // the follower saw the start of the history, the leader went on without it
        for (int i = 0; i < 5; i++) {
            put("k" + (i % 2), "v" + i);
            leaderPut("k" + (i % 2), "v" + i);
        }
        for (int i = 5; i < 40; i++) {
            leaderPut("k" + (i % 3), "v" + i);
        }
        leader.applyDeleteRange(++leaderIndex, io.cairn.api.kv.DeleteRangeRequest.of(b("k2")));
        leader.applyCompaction(++leaderIndex, 4);

        store.restore(() -> TestBackends.copyStoreContents(leaderBackend, backend, 7, () -> {}));

        assertEquals(leader.currentRevision(), store.currentRevision());
        assertEquals(4, store.compactRevision());
        assertEquals(leaderIndex, store.consistentIndex());
        assertEquals(history(leader, 4), history(store, 4), "every revision since the compaction, not only the latest state");
        assertEquals(leader.hashKv(0), store.hashKv(0));
        raftIndex = store.consistentIndex();
        assertEquals(leader.currentRevision() + 1, put("k9", "after"), "revisions go on from the leader's");
    }

    @Test
    void readsStartedWhileARestoreRewritesTheStoreSeeItWhole() throws Exception {
        for (int i = 0; i < 30; i++) {
            leaderPut("k" + i, "v" + i);
        }
        RangeResponse expected = leader.range(RangeRequest.all());
        List<String> expectedHistory = history(leader, 2);
        List<CompletableFuture<Object[]>> reads = new ArrayList<>();
        store.restore(() -> TestBackends.copyStoreContents(leaderBackend, backend, 10, () -> {
            // half-installed: a range and a history read start on other threads now
            CompletableFuture<Object[]> read = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    read.complete(new Object[] {store.range(RangeRequest.all()), history(store, 2)});
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
            awaitBlockedOrDone(reader);
            reads.add(read);
        }));
        assertFalse(reads.isEmpty(), "the restore took several batches");
        for (CompletableFuture<Object[]> read : reads) {
            Object[] seen = read.get(10, TimeUnit.SECONDS);
            assertEquals(expected.kvs(), ((RangeResponse) seen[0]).kvs(), "the range saw the whole snapshot");
            assertEquals(expectedHistory, seen[1], "the history read saw the whole snapshot");
        }
    }

    /** Waits until {@code thread} waits (on the store's lock) or has ended (it read without waiting). */
    private static void awaitBlockedOrDone(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TERMINATED) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the reader neither waited nor ended: " + thread.getState());
            }
            Thread.onSpinWait();
        }
    }
}
