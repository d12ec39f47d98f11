package io.cairn.server.mvcc;

import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.watch.Event;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compaction: what stays readable, what is physically removed, errors, crash and resume; HashKV. */
class CompactionTest extends MvccTestSupport {

    @Override
    MvccStore.Options options() {
        return super.options().withCompactionBatchSize(2);
    }

    /* 2: a=1  3: a=2  4: b=1  5: del b  6: c=1  7: a=3  8: del c  9: d=1 */
    private void history() {
        put("a", "1");
        put("a", "2");
        put("b", "1");
        delete("b");
        put("c", "1");
        put("a", "3");
        delete("c");
        put("d", "1");
    }

    private int entries(String keyspace) {
        return backend.scan(keyspace, null, null, ScanOrder.ASCENDING, 0).size();
    }

    private List<Event> events(long from) {
        List<Event> events = new ArrayList<>();
        store.forEachEvent(from, store.currentRevision(), true, events::add);
        return events;
    }

    @Test
    void readsAtOrAboveTheCompactRevisionAreUnchangedAndBelowItFail() {
        history();
        List<List<String>> before = new ArrayList<>();
        for (long revision = 6; revision <= 9; revision++) {
            before.add(keys(store.range(RangeRequest.all().withRevision(revision))));
        }
        List<Event> eventsBefore = events(6);
        store.applyCompaction(nextIndex(), 6);
        assertEquals(6, store.compactRevision());
        for (long revision = 6; revision <= 9; revision++) {
            assertEquals(before.get((int) revision - 6), keys(store.range(RangeRequest.all().withRevision(revision))),
                    "revision " + revision);
        }
        assertEquals(kv("a", 2, 3, 2, "2", 0), only(store.range(RangeRequest.of(b("a")).withRevision(6))));
        CompactedException error = assertThrows(CompactedException.class,
                () -> store.range(RangeRequest.all().withRevision(5)));
        assertEquals(ErrorCode.COMPACTED.message(), error.getMessage());
        assertEquals(eventsBefore, events(6), "watchers may still start at the compact revision");
        assertThrows(CompactedException.class, () -> events(5));
        // physically: a@3 (kept, newest <= 6), c@6, a@7, tombstone c@8, d@9; b's put and tombstone and a@2 are gone
        assertEquals(5, entries(MvccCodec.KV_BY_KEY));
        assertEquals(4, entries(MvccCodec.KV_BY_REV), "revision entries below 6 are gone, 6 and above stay");
    }

    @Test
    void compactionErrors() {
        history();
        CairnException future = assertThrows(CairnException.class, () -> store.applyCompaction(nextIndex(), 10));
        assertTrue(future.is(ErrorCode.FUTURE_REVISION));
        store.applyCompaction(nextIndex(), 5);
        CompactedException again = assertThrows(CompactedException.class, () -> store.applyCompaction(nextIndex(), 5));
        assertEquals(ErrorCode.COMPACTED.message(), again.getMessage());
        assertThrows(CompactedException.class, () -> store.applyCompaction(nextIndex(), 4));
        store.applyCompaction(nextIndex(), 9);
        assertEquals(List.of("a", "d"), keys(store.range(RangeRequest.all())));
        assertEquals(2, entries(MvccCodec.KV_BY_KEY), "only the live versions remain");
        assertEquals(raftIndex, store.consistentIndex());
        assertEquals(9, store.currentRevision(), "compaction does not bump the revision");
    }

    @Test
    void repeatedCompactionsRemoveVersionsKeptByEarlierOnes() {
        put("k", "1");
        store.applyCompaction(nextIndex(), 2);
        put("k", "2");
        put("k", "3");
        store.applyCompaction(nextIndex(), 4);
        assertEquals(List.of(kv("k", 2, 4, 3, "3", 0)), store.range(RangeRequest.of(b("k")).withRevision(4)).kvs());
        assertEquals(1, entries(MvccCodec.KV_BY_KEY), "k@2, kept by the compaction at 2, is gone at 4");
        put("k", "4");
        store.applyCompaction(nextIndex(), 5);
        assertEquals(1, entries(MvccCodec.KV_BY_KEY));
    }

    private long historyForCrash(MvccStore target, long index) {
        for (int i = 0; i < 20; i++) {
            target.applyPut(++index, io.cairn.api.kv.PutRequest.of(b("k" + (i % 4)), b("v" + i)));
        }
        target.applyDeleteRange(++index, io.cairn.api.kv.DeleteRangeRequest.of(b("k0")));
        return index;
    }

    /**
     * 17 revision entries at or below 18, in batches of 2: the schedule, 9 batches, the finish.
     * A crash before any of these writes must end, after reopening (and, if the schedule itself was
     * lost, replaying the entry from the Raft log), in the state of a compaction without crash.
     */
    @ParameterizedTest(name = "crash after {0} writes")
    @ValueSource(ints = {0, 1, 2, 5, 9, 10})
    void aCompactionInterruptedByACrashIsFinishedOnOpen(int writesBeforeCrash) {
        HashResult expectedHash;
        List<List<String>> expectedReads = new ArrayList<>();
        Backend reference = BACKENDS.create();
        try (MvccStore other = MvccStore.open(reference, options())) {
            long index = historyForCrash(other, 0);
            other.applyCompaction(index + 1, 18);
            expectedHash = other.hashKv(0);
            for (long revision = 18; revision <= 22; revision++) {
                expectedReads.add(keys(other.range(RangeRequest.all().withRevision(revision))));
            }
        } finally {
            BACKENDS.destroy(reference);
        }

        raftIndex = historyForCrash(store, raftIndex);
        assertNotEquals(expectedHash.hash(), store.hashKv(0).hash(), "sanity: an uncompacted store hashes differently");
        store.close();
        FaultyBackend crashing = new FaultyBackend(backend, writesBeforeCrash);
        MvccStore doomed = MvccStore.open(crashing, options());
        long index = nextIndex();
        assertThrows(StorageException.class, () -> doomed.applyCompaction(index, 18));
        backend = BACKENDS.reopen(crashing.delegate());
        store = MvccStore.open(backend, options());
        if (writesBeforeCrash == 0) {
            assertEquals(index - 1, store.consistentIndex(), "nothing of the entry was applied: the log replays it");
            assertEquals(-1, store.compactRevision());
            store.applyCompaction(index, 18);
        }
        assertEquals(18, store.compactRevision());
        assertEquals(index, store.consistentIndex(), "the compaction entry counts as applied");
        assertEquals(expectedHash, store.hashKv(0));
        for (long revision = 18; revision <= 22; revision++) {
            assertEquals(expectedReads.get((int) revision - 18), keys(store.range(RangeRequest.all().withRevision(revision))));
        }
        assertEquals(8, entries(MvccCodec.KV_BY_KEY), "the newest version <= 18 of each key, and the 4 changes after 18");
        assertEquals(5, entries(MvccCodec.KV_BY_REV), "the entries at 18 and above");
    }

    @Test
    void hashIsStableForEqualHistoriesAndDiffersOtherwise() {
        history();
        HashResult hash = store.hashKv(0);
        assertEquals(new HashResult(hash.hash(), -1, 9), hash);
        assertEquals(hash, store.hashKv(9));
        HashResult atSix = store.hashKv(6);
        assertNotEquals(hash.hash(), atSix.hash());
        restart();
        assertEquals(hash, store.hashKv(0), "a restart does not change the hash");

        Backend twinBackend = BACKENDS.create();
        try (MvccStore twin = MvccStore.open(twinBackend, options())) {
            MvccStore mine = store;
            long savedIndex = raftIndex;
            store = twin;
            raftIndex = 0;
            history();
            assertEquals(hash, twin.hashKv(0), "the same history gives the same hash");
            assertEquals(atSix, twin.hashKv(6));
            put("e", "1");
            assertNotEquals(hash.hash(), twin.hashKv(0).hash());
            assertEquals(hash.hash(), twin.hashKv(9).hash(), "a later change does not alter the hash up to 9");
            store = mine;
            raftIndex = savedIndex;
        } finally {
            BACKENDS.destroy(twinBackend);
        }
        put("d", "2");
        store.applyCompaction(nextIndex(), 10);
        HashResult compacted = store.hashKv(0);
        assertEquals(10, compacted.compactRevision());
        assertThrows(CompactedException.class, () -> store.hashKv(9));
        assertTrue(assertThrows(CairnException.class, () -> store.hashKv(11)).is(ErrorCode.FUTURE_REVISION));
    }
}
