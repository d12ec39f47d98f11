package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Thousands of random operations (seeded) applied to the store and to {@link EtcdModel}, a list of
 * all versions searched linearly; every response, error and event must match, and so must full
 * reads at random revisions, history replay, and the hash across restarts. A failure names the
 * seed and step to reproduce it.
 */
class ModelComparisonTest extends MvccTestSupport {

    private static final List<Bytes> KEYS = List.of(b("a"), b("ab"), b("b"), b("c"), b("d"), b("e"),
            Bytes.of((byte) 'a', (byte) 0), Bytes.of((byte) 0), Bytes.of((byte) 0xFF), Bytes.of((byte) 'a', (byte) 0xFF),
            Bytes.of((byte) 'a', (byte) 0, (byte) 0));
    private static final List<Bytes> VALUES = List.of(Bytes.EMPTY, b("x"), b("y"), b("zz"), Bytes.of((byte) 0xFE));
    private static final long[] LEASES = {0, 0, 0, 100, 200, 999};

    private Random random;
    private EtcdModel model;
    private String where;

    @Override
    MvccStore.Options options() {
        return super.options().withCompactionBatchSize(3);
    }

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261123})
    void storeMatchesTheModel(long seed) {
        random = new Random(seed);
        model = new EtcdModel(grantedLeases::contains);
        for (int step = 0; step < 1500; step++) {
            where = "seed=" + seed + " step=" + step;
            int dice = random.nextInt(100);
            if (dice < 35) {
                PutRequest put = randomPut();
                compare(() -> model.put(put), () -> store.applyPut(nextIndex(), put), put);
            } else if (dice < 45) {
                DeleteRangeRequest delete = new DeleteRangeRequest(key(), rangeEnd(), random.nextBoolean());
                compare(() -> model.deleteRange(delete), () -> store.applyDeleteRange(nextIndex(), delete), delete);
            } else if (dice < 65) {
                TxnRequest txn = randomTxn(0);
                compare(() -> model.txn(txn, KvRequestChecks.DEFAULT_MAX_TXN_OPS),
                        () -> store.applyTxn(nextIndex(), txn), txn);
            } else if (dice < 85) {
                RangeRequest range = randomRange();
                compareReads(() -> model.range(range), () -> store.range(range), range);
            } else if (dice < 87) {
                long lease = new long[] {100, 200, 999}[random.nextInt(3)];
                compare(() -> model.revoke(lease), () -> store.applyLeaseRevoke(nextIndex(), lease, null), "revoke " + lease);
            } else if (dice < 89) {
                TxnRequest txn = new TxnRequest(randomTxn(1).compare(), randomRanges(), randomRanges());
                compareReads(() -> model.txn(txn, KvRequestChecks.DEFAULT_MAX_TXN_OPS), () -> store.readTxn(txn), txn);
            } else if (dice < 91) {
                long revision = Math.max(0, model.compactRevision) + random.nextInt(4) - 1;
                compareReads(() -> {
                    model.compact(revision);
                    return "compacted";
                }, () -> {
                    store.applyCompaction(nextIndex(), revision);
                    return "compacted";
                }, "compact " + revision);
            } else if (dice < 93) {
                HashResult before = store.hashKv(0);
                restart();
                assertEquals(before, store.hashKv(0), where + ": hash changed across a restart");
            } else {
                checkWholeState();
            }
        }
        checkWholeState();
    }

    private void checkWholeState() {
        assertEquals(model.revision, store.currentRevision(), where + ": current revision");
        assertEquals(model.compactRevision, store.compactRevision(), where + ": compact revision");
        long low = Math.max(1, model.compactRevision);
        long revision = low + (long) random.nextInt((int) (model.revision - low + 1));
        RangeRequest all = RangeRequest.all().withRevision(revision);
        assertEquals(model.range(all), store.range(all), where + ": everything at revision " + revision);
        long from = Math.max(1, model.compactRevision + 1);
        List<Event> replayed = new ArrayList<>();
        store.forEachEvent(from, model.revision, true, replayed::add);
        assertEquals(model.events(from, model.revision), replayed, where + ": events from " + from);
    }

    /** A write: same response and events, or the same error (and then no change anywhere). */
    private void compare(Supplier<Object> modelSide, Supplier<WriteResult<?>> storeSide, Object request) {
        Object expected;
        try {
            expected = modelSide.get();
        } catch (CairnException e) {
            model.rollback();
            CairnException actual = expectFailure(storeSide, request);
            assertSameError(e, actual, request);
            return;
        }
        WriteResult<?> actual;
        try {
            actual = storeSide.get();
        } catch (CairnException e) {
            throw new AssertionError(where + ": store failed with '" + e.getMessage() + "' where the model answered "
                    + expected + " to " + request, e);
        }
        assertEquals(expected, actual.response(), where + ": response to " + request);
        assertEquals(model.revision, actual.revision(), where + ": revision after " + request);
        assertEquals(model.lastEvents, actual.events(), where + ": events of " + request);
    }

    private <T> void compareReads(Supplier<T> modelSide, Supplier<T> storeSide, Object request) {
        T expected;
        try {
            expected = modelSide.get();
        } catch (CairnException e) {
            assertSameError(e, expectFailure(storeSide, request), request);
            return;
        }
        assertEquals(expected, storeSide.get(), where + ": answer to " + request);
    }

    private CairnException expectFailure(Supplier<?> storeSide, Object request) {
        try {
            Object answer = storeSide.get();
            fail(where + ": the model rejected " + request + " but the store answered " + answer);
            return null;
        } catch (CairnException e) {
            return e;
        }
    }

    private void assertSameError(CairnException expected, CairnException actual, Object request) {
        assertEquals(expected.getClass(), actual.getClass(), where + ": error class for " + request);
        assertEquals(expected.getMessage(), actual.getMessage(), where + ": error for " + request);
        if (expected instanceof CompactedException compacted) {
            assertEquals(compacted.compactRevision(), ((CompactedException) actual).compactRevision(), where);
        }
    }

    // ---- generators ----------------------------------------------------------------------------

    private Bytes key() {
        return KEYS.get(random.nextInt(KEYS.size()));
    }

    private Bytes rangeEnd() {
        int dice = random.nextInt(100);
        if (dice < 45) {
            return Bytes.EMPTY;
        }
        if (dice < 60) {
            return Bytes.NUL;
        }
        return key();
    }

    private long someRevision() {
        return random.nextInt((int) model.revision + 2);
    }

    private PutRequest randomPut() {
        Bytes value = VALUES.get(random.nextInt(VALUES.size()));
        PutRequest put = new PutRequest(key(), value, LEASES[random.nextInt(LEASES.length)], random.nextBoolean(), false, false);
        if (random.nextInt(10) == 0) {
            put = new PutRequest(put.key(), Bytes.EMPTY, put.lease(), put.prevKv(), true, put.ignoreLease());
        }
        if (random.nextInt(10) == 0) {
            put = new PutRequest(put.key(), put.value(), 0, put.prevKv(), put.ignoreValue(), true);
        }
        return put;
    }

    private RangeRequest randomRange() {
        RangeRequest.SortOrder[] orders = RangeRequest.SortOrder.values();
        RangeRequest.SortTarget[] targets = RangeRequest.SortTarget.values();
        boolean sorted = random.nextInt(3) == 0;
        return new RangeRequest(key(), rangeEnd(),
                random.nextBoolean() ? 0 : 1 + random.nextInt(4),
                random.nextInt(5) < 3 ? 0 : someRevision(),
                sorted ? orders[random.nextInt(orders.length)] : RangeRequest.SortOrder.NONE,
                sorted ? targets[random.nextInt(targets.length)] : RangeRequest.SortTarget.KEY,
                random.nextBoolean(),
                random.nextInt(10) == 0,
                random.nextInt(10) == 0,
                random.nextInt(10) == 0 ? someRevision() : 0,
                random.nextInt(10) == 0 ? someRevision() : 0,
                random.nextInt(10) == 0 ? someRevision() : 0,
                random.nextInt(10) == 0 ? someRevision() : 0);
    }

    private TxnRequest randomTxn(int depth) {
        List<Compare> compares = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            Compare.Result result = Compare.Result.values()[random.nextInt(4)];
            Compare.Target target = Compare.Target.values()[random.nextInt(5)];
            Compare compare = target == Compare.Target.VALUE
                    ? Compare.value(key(), result, VALUES.get(random.nextInt(VALUES.size())))
                    : new Compare(result, target, key(), Bytes.EMPTY,
                            target == Compare.Target.LEASE ? LEASES[random.nextInt(LEASES.length)] : random.nextInt((int) model.revision + 2),
                            Bytes.EMPTY);
            if (random.nextInt(4) == 0) {
                compare = compare.withRangeEnd(rangeEnd());
            }
            compares.add(compare);
        }
        return new TxnRequest(compares, randomOps(depth), randomOps(depth));
    }

    private List<RequestOp> randomRanges() {
        List<RequestOp> ops = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            ops.add(randomRange());
        }
        return ops;
    }

    private List<RequestOp> randomOps(int depth) {
        List<RequestOp> ops = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            int dice = random.nextInt(10);
            if (dice < 3) {
                ops.add(randomRange());
            } else if (dice < 6) {
                ops.add(randomPut());
            } else if (dice < 8) {
                ops.add(new DeleteRangeRequest(key(), rangeEnd(), random.nextBoolean()));
            } else if (depth < 2) {
                ops.add(randomTxn(depth + 1));
            }
        }
        return ops;
    }
}
