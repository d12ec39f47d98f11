package io.cairn.server.mvcc;

import io.cairn.api.KeyValue;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads on other threads while the apply thread writes: every read sees whole transactions. */
class ConcurrentReadTest extends MvccTestSupport {

    @Test
    void readsSeeWholeWritesOnly() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                results.add(readers.submit(() -> {
                    int reads = 0;
                    while (writing.get() || reads == 0) {
                        RangeResponse response = store.range(RangeRequest.prefix(b("k")));
                        List<String> values = response.kvs().stream().map(kv -> kv.value().toUtf8()).distinct().toList();
                        assertTrue(values.size() <= 1, () -> "a read saw a partial transaction: " + response.kvs());
                        long revision = response.header().revision();
                        for (KeyValue kv : response.kvs()) {
                            assertEquals(revision, kv.modRevision(), "the header revision is the revision read");
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int i = 0; i < 300; i++) {
                List<RequestOp> puts = new ArrayList<>();
                for (int k = 0; k < 5; k++) {
                    puts.add(PutRequest.of(b("k" + k), b("v" + i)));
                }
                store.applyTxn(nextIndex(), new TxnRequest(List.of(), puts, List.of()));
            }
            writing.set(false);
            for (Future<Integer> result : results) {
                assertTrue(result.get() > 0);
            }
        } finally {
            writing.set(false);
            readers.shutdown();
        }
    }
}
