package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.Compare.Result;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transactions: compares on every target and result, ranges and missing keys; branches; nesting; checks. */
class TxnTest extends MvccTestSupport {

    /* 2: put a="m" lease 100   3: put b="b"   4: put a="n" (a: create 2, mod 4, version 2, lease 100) */
    @BeforeEach
    void history() {
        put("a", "m", 100);
        put("b", "b");
        store.applyPut(nextIndex(), PutRequest.of(b("a"), b("n")).withIgnoreLease(true));
    }

    record Row(String name, Compare compare, boolean holds) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> compares() {
        Bytes a = b("a");
        Bytes missing = b("zz");
        return Stream.of(
                new Row("version equal", Compare.version(a, Result.EQUAL, 2), true),
                new Row("version not equal", Compare.version(a, Result.NOT_EQUAL, 2), false),
                new Row("version greater", Compare.version(a, Result.GREATER, 1), true),
                new Row("version less", Compare.version(a, Result.LESS, 2), false),
                new Row("create equal", Compare.createRevision(a, Result.EQUAL, 2), true),
                new Row("create greater", Compare.createRevision(a, Result.GREATER, 2), false),
                new Row("create less", Compare.createRevision(a, Result.LESS, 3), true),
                new Row("mod equal", Compare.modRevision(a, Result.EQUAL, 4), true),
                new Row("mod not equal", Compare.modRevision(a, Result.NOT_EQUAL, 4), false),
                new Row("mod less", Compare.modRevision(a, Result.LESS, 4), false),
                new Row("mod greater", Compare.modRevision(a, Result.GREATER, 3), true),
                new Row("value equal", Compare.value(a, Result.EQUAL, b("n")), true),
                new Row("value greater", Compare.value(a, Result.GREATER, b("m")), true),
                new Row("value less", Compare.value(a, Result.LESS, b("n")), false),
                new Row("value not equal", Compare.value(a, Result.NOT_EQUAL, b("x")), true),
                new Row("value compares unsigned", Compare.value(a, Result.LESS, Bytes.of((byte) 0x80)), true),
                new Row("lease equal", Compare.lease(a, Result.EQUAL, 100), true),
                new Row("lease of a key without lease", Compare.lease(b("b"), Result.EQUAL, 0), true),
                new Row("missing key: version equals 0", Compare.version(missing, Result.EQUAL, 0), true),
                new Row("missing key: create equals 0", Compare.createRevision(missing, Result.EQUAL, 0), true),
                new Row("missing key: mod less than 1", Compare.modRevision(missing, Result.LESS, 1), true),
                new Row("missing key: lease equals 0", Compare.lease(missing, Result.EQUAL, 0), true),
                new Row("missing key: value never holds", Compare.value(missing, Result.NOT_EQUAL, b("x")), false),
                new Row("missing key: value never holds, even empty", Compare.value(missing, Result.EQUAL, Bytes.EMPTY), false),
                new Row("range: holds for every key", Compare.modRevision(a, Result.GREATER, 2).withRangeEnd(b("c")), true),
                new Row("range: fails if one key fails", Compare.modRevision(a, Result.GREATER, 3).withRangeEnd(b("c")), false),
                new Row("range: prefix", Compare.version(a, Result.EQUAL, 2).withPrefix(), true),
                new Row("range: from key", Compare.version(a, Result.GREATER, 0).withRangeEnd(Bytes.NUL), true),
                new Row("empty range: zeros", Compare.version(b("x"), Result.EQUAL, 0).withRangeEnd(b("y")), true),
                new Row("empty range: value fails", Compare.value(b("x"), Result.EQUAL, Bytes.EMPTY).withRangeEnd(b("y")), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compares")
    void compare(Row row) {
        TxnRequest txn = TxnRequest.empty().when(row.compare()).then(RangeRequest.of(b("a"))).otherwise(RangeRequest.of(b("b")));
        TxnResponse applied = store.applyTxn(nextIndex(), txn).response();
        assertEquals(row.holds(), applied.succeeded());
        assertEquals(row.holds() ? "a" : "b", only((RangeResponse) applied.responses().get(0)).key().toUtf8());
        assertEquals(row.holds(), store.readTxn(txn).succeeded(), "read-only transactions decide the same way");
        assertEquals(4, store.currentRevision(), "a read-only transaction does not bump the revision");
    }

    @Test
    void allCompareMustHold() {
        TxnRequest txn = TxnRequest.empty()
                .when(Compare.version(b("a"), Result.EQUAL, 2), Compare.value(b("b"), Result.EQUAL, b("nope")))
                .then(PutRequest.of(b("x"), b("1")));
        assertFalse(store.applyTxn(nextIndex(), txn).response().succeeded());
        assertEquals(0, get("x").count());
    }

    @Test
    void allChangesShareOneRevisionAndLaterOpsSeeEarlierOnes() {
        TxnRequest txn = TxnRequest.empty().then(
                PutRequest.of(b("c"), b("1")),
                RangeRequest.prefix(Bytes.EMPTY),
                DeleteRangeRequest.of(b("b")).withPrevKv(true),
                RangeRequest.all(),
                PutRequest.of(b("d"), b("2")).withPrevKv(true),
                RangeRequest.all().withRevision(4),
                RangeRequest.of(b("c")));
        WriteResult<TxnResponse> result = store.applyTxn(nextIndex(), txn);
        TxnResponse response = result.response();
        assertTrue(response.succeeded());
        assertEquals(5, result.revision());
        assertEquals(3, result.events().size());
        assertTrue(result.events().stream().allMatch(e -> e.kv().modRevision() == 5));
        assertEquals(List.of("a", "b", "c"), keys((RangeResponse) response.responses().get(1)));
        assertEquals(1, ((DeleteRangeResponse) response.responses().get(2)).deleted());
        assertEquals(List.of("a", "c"), keys((RangeResponse) response.responses().get(3)));
        assertTrue(((PutResponse) response.responses().get(4)).prevKv().isEmpty());
        assertEquals(List.of("a", "b"), keys((RangeResponse) response.responses().get(5)), "a history read ignores the txn's writes");
        assertEquals(kv("c", 5, 5, 1, "1", 0), only((RangeResponse) response.responses().get(6)));
        for (ResponseOp op : response.responses()) {
            assertEquals(5, op.header().revision(), "every header is the transaction's");
        }
        assertEquals(5, response.header().revision());
        assertEquals(List.of("a", "c", "d"), keys(store.range(RangeRequest.all())));
    }

    @Test
    void nestedTransactionsDecideOnTheStateBeforeTheTransaction() {
        TxnRequest inner = TxnRequest.empty()
                .when(Compare.version(b("c"), Result.EQUAL, 0)) // c does not exist before the txn
                .then(PutRequest.of(b("inner-then"), b("1")))
                .otherwise(PutRequest.of(b("inner-else"), b("1")));
        TxnRequest outer = TxnRequest.empty()
                .when(Compare.value(b("b"), Result.EQUAL, b("b")))
                .then(PutRequest.of(b("c"), b("1")), inner, RangeRequest.prefix(b("inner")))
                .otherwise(PutRequest.of(b("outer-else"), b("1")));
        TxnResponse response = store.applyTxn(nextIndex(), outer).response();
        assertTrue(response.succeeded());
        TxnResponse nested = assertInstanceOf(TxnResponse.class, response.responses().get(1));
        assertTrue(nested.succeeded(), "the inner compare saw c missing although the txn had put it");
        assertEquals(5, nested.header().revision());
        assertEquals(List.of("inner-then"), keys((RangeResponse) response.responses().get(2)));
        assertEquals(List.of("a", "b", "c", "inner-then"), keys(store.range(RangeRequest.all())));
    }

    @Test
    void aFailingOperationAppliesNothing() {
        TxnRequest txn = TxnRequest.empty().then(
                PutRequest.of(b("c"), b("1")),
                PutRequest.of(b("missing"), Bytes.EMPTY).withIgnoreValue(true));
        long index = nextIndex();
        CairnException error = assertThrows(CairnException.class, () -> store.applyTxn(index, txn));
        assertTrue(error.is(ErrorCode.KEY_NOT_FOUND));
        assertEquals(index, store.consistentIndex());
        assertEquals(4, store.currentRevision());
        assertEquals(0, get("c").count());

        TxnRequest future = TxnRequest.empty().then(PutRequest.of(b("c"), b("1")), RangeRequest.all().withRevision(5));
        assertTrue(assertThrows(CairnException.class, () -> store.applyTxn(nextIndex(), future)).is(ErrorCode.FUTURE_REVISION),
                "a range at the transaction's own new revision is a future revision, as in etcd");
        TxnRequest lease = TxnRequest.empty().otherwise(PutRequest.of(b("c"), b("1")).withLease(7)).when(
                Compare.version(b("a"), Result.EQUAL, 99));
        assertTrue(assertThrows(CairnException.class, () -> store.applyTxn(nextIndex(), lease)).is(ErrorCode.LEASE_NOT_FOUND));
        TxnRequest unchosen = TxnRequest.empty().then(RangeRequest.all()).otherwise(PutRequest.of(b("c"), b("1")).withLease(7));
        assertTrue(store.applyTxn(nextIndex(), unchosen).response().succeeded(), "only the chosen branch is checked");

        put("c", "2");
        store.applyCompaction(nextIndex(), 5);
        TxnRequest compacted = TxnRequest.empty().then(RangeRequest.all().withRevision(3));
        assertThrows(CompactedException.class, () -> store.applyTxn(nextIndex(), compacted));
        assertEquals(5, store.currentRevision());
    }

    record Invalid(String name, TxnRequest txn, ErrorCode error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Invalid> invalid() {
        PutRequest putA = PutRequest.of(b("a"), b("1"));
        List<RequestOp> many = new ArrayList<>();
        for (int i = 0; i <= KvRequestChecks.DEFAULT_MAX_TXN_OPS; i++) {
            many.add(RangeRequest.of(b("k" + i)));
        }
        List<RequestOp> outer64 = new ArrayList<>(many.subList(0, 63));
        outer64.add(new TxnRequest(List.of(), new ArrayList<>(many.subList(0, 66)), List.of()));
        return Stream.of(
                new Invalid("the same key put twice", TxnRequest.empty().then(putA, putA), ErrorCode.DUPLICATE_KEY),
                new Invalid("put and delete of a key", TxnRequest.empty().then(DeleteRangeRequest.of(b("a")), putA),
                        ErrorCode.DUPLICATE_KEY),
                new Invalid("put inside a deleted range", TxnRequest.empty().then(putA,
                        DeleteRangeRequest.of(io.cairn.api.KeyRange.prefix(Bytes.EMPTY)).withRangeEnd(b("b"))), ErrorCode.DUPLICATE_KEY),
                new Invalid("put in a nested txn and outside", TxnRequest.empty().then(putA, TxnRequest.empty().then(putA)),
                        ErrorCode.DUPLICATE_KEY),
                new Invalid("nested put in an outer delete", TxnRequest.empty().then(DeleteRangeRequest.prefix(b("a")),
                        TxnRequest.empty().otherwise(putA)), ErrorCode.DUPLICATE_KEY),
                new Invalid("two nested txns put the same key", TxnRequest.empty().then(TxnRequest.empty().then(putA),
                        TxnRequest.empty().otherwise(putA)), ErrorCode.DUPLICATE_KEY),
                new Invalid("too many operations", new TxnRequest(List.of(), many, List.of()), ErrorCode.TOO_MANY_OPS),
                new Invalid("too many compares", new TxnRequest(many.stream()
                        .map(op -> Compare.version(((RangeRequest) op).key(), Result.EQUAL, 0)).toList(), List.of(), List.of()),
                        ErrorCode.TOO_MANY_OPS),
                new Invalid("a nested txn gets what its parent leaves", new TxnRequest(List.of(), outer64, List.of()),
                        ErrorCode.TOO_MANY_OPS),
                new Invalid("empty key in a compare", TxnRequest.empty().when(Compare.version(Bytes.EMPTY, Result.EQUAL, 0)),
                        ErrorCode.EMPTY_KEY),
                new Invalid("empty key in a nested put", TxnRequest.empty().otherwise(TxnRequest.empty().then(
                        PutRequest.of(Bytes.EMPTY, b("v")))), ErrorCode.EMPTY_KEY),
                new Invalid("value with ignore_value in a txn", TxnRequest.empty().then(putA.withIgnoreValue(true)),
                        ErrorCode.VALUE_PROVIDED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidTransactionsAreRejected(Invalid row) {
        CairnException error = assertThrows(CairnException.class, () -> store.applyTxn(nextIndex(), row.txn()));
        assertEquals(row.error().message(), error.getMessage());
        assertEquals(4, store.currentRevision());
        assertThrows(CairnException.class, () -> KvRequestChecks.checkTxn(row.txn(), KvRequestChecks.DEFAULT_MAX_TXN_OPS),
                "the service layer's check agrees");
    }

    @Test
    void allowedOverlaps() {
        PutRequest putA = PutRequest.of(b("a"), b("1"));
        // then and else of one nested txn may put the same key; deletes may overlap deletes
        TxnRequest branches = TxnRequest.empty().then(TxnRequest.empty().then(putA).otherwise(putA),
                DeleteRangeRequest.of(b("b")), DeleteRangeRequest.prefix(b("b")));
        assertTrue(store.applyTxn(nextIndex(), branches).response().succeeded());
        // etcd quirk kept: a delete with range end "\0" does not count as overlapping a put
        TxnRequest quirk = TxnRequest.empty().then(DeleteRangeRequest.of(io.cairn.api.KeyRange.fromKey(b("a"))), putA);
        WriteResult<TxnResponse> result = store.applyTxn(nextIndex(), quirk);
        assertEquals(List.of("a"), keys(store.range(RangeRequest.all())));
        assertEquals(2, result.events().size());
        // success and failure branches are checked separately
        TxnRequest separate = TxnRequest.empty().then(putA).otherwise(putA);
        assertTrue(store.applyTxn(nextIndex(), separate).response().succeeded());
    }

    @Test
    void readTxnRefusesWrites() {
        assertThrows(IllegalArgumentException.class,
                () -> store.readTxn(TxnRequest.empty().then(PutRequest.of(b("x"), b("1")))));
        assertThrows(IllegalArgumentException.class,
                () -> store.readTxn(TxnRequest.empty().then(TxnRequest.empty())));
    }
}
