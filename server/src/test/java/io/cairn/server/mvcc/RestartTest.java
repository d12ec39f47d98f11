package io.cairn.server.mvcc;

import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ScanOrder;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing and reopening the same backend state: nothing lost, and opening does not read the keys. */
class RestartTest extends MvccTestSupport {

    /** Counts the reads made through it, to show what opening costs. */
    private static final class CountingBackend extends ForwardingBackend {
        int gets;
        int scans;

        CountingBackend(io.cairn.spi.storage.Backend delegate) {
            super(delegate);
        }

        @Override
        public byte[] get(String keyspace, byte[] key) {
            gets++;
            return super.get(keyspace, key);
        }

        @Override
        public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
            scans++;
            return super.scan(keyspace, start, end, order, limit, visitor);
        }

        @Override
        public io.cairn.spi.storage.ReadSnapshot snapshot() {
            scans++; // a snapshot would only be taken to read; opening must not need one
            return super.snapshot();
        }
    }

    @Test
    void everythingSurvivesARestart() {
        put("a", "1", 100);
        put("b", "2");
        delete("b");
        put("c", "3");
        store.applyCompaction(nextIndex(), 3);
        List<String> events = new ArrayList<>();
        store.forEachEvent(3, 5, true, e -> events.add(e.type() + " " + e.kv().key().toUtf8()));
        HashResult hash = store.hashKv(0);
        long index = store.consistentIndex();
        restart();
        assertEquals(5, store.currentRevision());
        assertEquals(3, store.compactRevision());
        assertEquals(index, store.consistentIndex());
        assertEquals(hash, store.hashKv(0));
        assertEquals(List.of("a", "c"), keys(store.range(RangeRequest.all())));
        assertEquals(List.of(b("a")), store.keysOfLease(100));
        List<String> replayed = new ArrayList<>();
        store.forEachEvent(3, 5, true, e -> replayed.add(e.type() + " " + e.kv().key().toUtf8()));
        assertEquals(events, replayed);
        assertEquals(List.of("PUT b", "DELETE b", "PUT c"), replayed);
        assertEquals(6, put("d", "4"), "revisions continue where they were");
    }

    @Test
    void openingReadsOnlyTheMetaKeyspaceWhateverTheKeyCount() {
        for (int batch = 0; batch < 40; batch++) {
            List<RequestOp> puts = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                puts.add(PutRequest.of(b("key-" + batch + "-" + i), b("value")));
            }
            store.applyTxn(nextIndex(), new TxnRequest(List.of(), puts, List.of()));
        }
        store.close();
        backend = BACKENDS.reopen(backend);
        CountingBackend counting = new CountingBackend(backend);
        store = MvccStore.open(counting, options());
        assertEquals(0, counting.scans, "opening scans nothing");
        assertTrue(counting.gets <= 5, "opening reads a handful of meta entries, not " + counting.gets);
        assertEquals(4000, store.range(RangeRequest.all().withCountOnly(true)).count());
        assertEquals(41, store.currentRevision());
    }
}
