package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeRequest.SortOrder;
import io.cairn.api.kv.RangeRequest.SortTarget;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KvRecordsTest {

    private static final Bytes KEY = Bytes.fromUtf8("k");
    private static final ResponseHeader HEADER = new ResponseHeader(1, 2, 3, 4);

    @Test
    void rangeRequestDefaultsMatchEtcdsZeroValues() {
        RangeRequest request = RangeRequest.of(KEY);
        assertEquals(new RangeRequest(KEY, Bytes.EMPTY, 0, 0, SortOrder.NONE, SortTarget.KEY,
                false, false, false, 0, 0, 0, 0), request);
        assertTrue(request.keyRange().isSingleKey());
    }

    @Test
    void rangeRequestWithMethodsSetOneFieldAndLeaveTheOriginal() {
        RangeRequest base = RangeRequest.of(Bytes.fromUtf8("/a/"));
        RangeRequest changed = base.withPrefix().withLimit(10).withRevision(7)
                .withSort(SortTarget.MOD, SortOrder.DESCEND).withSerializable(true).withKeysOnly(true)
                .withCountOnly(true).withModRevisionBounds(1, 2).withCreateRevisionBounds(3, 4);
        assertEquals(new RangeRequest(Bytes.fromUtf8("/a/"), Bytes.fromUtf8("/a0"), 10, 7, SortOrder.DESCEND,
                SortTarget.MOD, true, true, true, 1, 2, 3, 4), changed);
        assertEquals(RangeRequest.of(Bytes.fromUtf8("/a/")), base);
    }

    @Test
    void rangeRequestRangeShapes() {
        assertEquals(KeyRange.all(), RangeRequest.all().keyRange());
        assertEquals(KeyRange.all(), RangeRequest.prefix(Bytes.EMPTY).keyRange());
        assertEquals(KeyRange.fromKey(KEY), RangeRequest.of(KEY).withFromKey().keyRange());
        assertEquals(new KeyRange(KEY, Bytes.fromUtf8("z")), RangeRequest.range(KEY, Bytes.fromUtf8("z")).keyRange());
    }

    record Invalid(String name, Supplier<Object> construction, String expectedMessagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Invalid> invalidRecords() {
        RangeRequest r = RangeRequest.of(KEY);
        return Stream.of(
                new Invalid("negative limit", () -> r.withLimit(-1), "limit must not be negative, got -1"),
                new Invalid("negative revision", () -> r.withRevision(-5), "revision must not be negative, got -5"),
                new Invalid("negative min mod revision", () -> r.withModRevisionBounds(-1, 0), "minModRevision"),
                new Invalid("negative max create revision", () -> r.withCreateRevisionBounds(0, -1), "maxCreateRevision"),
                new Invalid("VALUE compare with a number",
                        () -> new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, KEY, Bytes.EMPTY, 3, Bytes.EMPTY),
                        "a VALUE compare takes its operand in value"),
                new Invalid("VERSION compare with a value",
                        () -> new Compare(Compare.Result.EQUAL, Compare.Target.VERSION, KEY, Bytes.EMPTY, 0, KEY),
                        "a VERSION compare takes its operand in number"),
                new Invalid("negative range count", () -> new RangeResponse(HEADER, List.of(), false, -1), "count"),
                new Invalid("negative header revision", () -> new ResponseHeader(1, 1, -1, 1), "revision"),
                new Invalid("negative key version",
                        () -> new KeyValue(KEY, 1, 1, -1, Bytes.EMPTY, 0), "version must not be negative"),
                new Invalid("negative compaction", () -> io.cairn.api.kv.CompactionRequest.of(-1), "revision"));
    }

    @ParameterizedTest
    @MethodSource("invalidRecords")
    void rejectsMeaninglessValuesNamingTheField(Invalid c) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, c.construction()::get);
        assertTrue(thrown.getMessage().contains(c.expectedMessagePart()),
                () -> "message '" + thrown.getMessage() + "' should contain '" + c.expectedMessagePart() + "'");
    }

    @Test
    void acceptsWhatOnlyTheServerMayRejectWithEtcdsError() {
        // An empty key is etcd's "key is not provided", which the server must send with its exact message.
        assertEquals(Bytes.EMPTY, RangeRequest.of(Bytes.EMPTY).key());
        PutRequest both = PutRequest.of(KEY, Bytes.fromUtf8("v")).withIgnoreValue(true);
        assertTrue(both.ignoreValue());
    }

    @Test
    void rejectsNullComponentsNamingThem() {
        NullPointerException thrown = assertThrows(NullPointerException.class, () -> RangeRequest.of((Bytes) null));
        assertEquals("key", thrown.getMessage());
        assertThrows(NullPointerException.class, () -> PutRequest.of(KEY, null));
        assertThrows(NullPointerException.class, () -> new PutResponse(HEADER, null));
        NullPointerException element = assertThrows(NullPointerException.class,
                () -> new RangeResponse(HEADER, java.util.Arrays.asList((KeyValue) null), false, 0));
        assertEquals("kvs[0] is null", element.getMessage());
    }

    @Test
    void putRequestBuilders() {
        PutRequest put = PutRequest.of(KEY, Bytes.fromUtf8("v"));
        assertEquals(new PutRequest(KEY, Bytes.fromUtf8("v"), 0, false, false, false), put);
        assertEquals(new PutRequest(KEY, Bytes.fromUtf8("v"), 42, true, true, true),
                put.withLease(42).withPrevKv(true).withIgnoreValue(true).withIgnoreLease(true));
    }

    @Test
    void responsesCopyTheirLists() {
        KeyValue kv = new KeyValue(KEY, 2, 3, 1, Bytes.fromUtf8("v"), 0);
        List<KeyValue> kvs = new ArrayList<>(List.of(kv));
        RangeResponse response = new RangeResponse(HEADER, kvs, false, 1);
        kvs.add(kv);
        assertEquals(1, response.kvs().size());
        assertThrows(UnsupportedOperationException.class, () -> response.kvs().add(kv));
    }

    @Test
    void txnBuildsByAppendingAndNests() {
        TxnRequest inner = TxnRequest.empty().then(DeleteRangeRequest.prefix(KEY));
        TxnRequest txn = TxnRequest.empty()
                .when(Compare.version(KEY, Compare.Result.EQUAL, 0))
                .when(Compare.value(KEY, Compare.Result.NOT_EQUAL, Bytes.fromUtf8("x")).withPrefix())
                .then(PutRequest.of(KEY, Bytes.fromUtf8("v")))
                .then(inner)
                .otherwise(RangeRequest.of(KEY));
        assertEquals(2, txn.compare().size());
        assertEquals(Compare.Target.VALUE, txn.compare().get(1).target());
        assertEquals(Bytes.fromUtf8("l"), txn.compare().get(1).rangeEnd());
        assertEquals(List.of(PutRequest.of(KEY, Bytes.fromUtf8("v")), inner), txn.success());
        assertEquals(List.of(RangeRequest.of(KEY)), txn.failure());
        assertTrue(TxnRequest.empty().compare().isEmpty(), "appending never changes the original");
        assertThrows(UnsupportedOperationException.class, () -> txn.success().clear());
    }

    @Test
    void requestOpIsAClosedUnion() {
        List<RequestOp> ops = List.of(RangeRequest.of(KEY), PutRequest.of(KEY, KEY), DeleteRangeRequest.of(KEY),
                TxnRequest.empty());
        List<String> kinds = ops.stream().map(op -> switch (op) {
            case RangeRequest r -> "range";
            case PutRequest p -> "put";
            case DeleteRangeRequest d -> "delete";
            case TxnRequest t -> "txn";
        }).toList();
        assertEquals(List.of("range", "put", "delete", "txn"), kinds);
    }

    @Test
    void compareFactoriesPutTheOperandWhereTheTargetReadsIt() {
        assertEquals(5, Compare.modRevision(KEY, Compare.Result.LESS, 5).number());
        assertEquals(Compare.Target.CREATE, Compare.createRevision(KEY, Compare.Result.GREATER, 1).target());
        assertEquals(Compare.Target.LEASE, Compare.lease(KEY, Compare.Result.EQUAL, 9).target());
        Compare value = Compare.value(KEY, Compare.Result.EQUAL, Bytes.fromUtf8("on"));
        assertEquals(0, value.number());
        assertEquals(Bytes.fromUtf8("on"), value.value());
    }

    @Test
    void recordsWithEqualContentAreEqual() {
        assertEquals(new KeyValue(Bytes.fromUtf8("k"), 1, 2, 1, Bytes.of((byte) 1), 0),
                new KeyValue(Bytes.of((byte) 'k'), 1, 2, 1, Bytes.of((byte) 1), 0));
        assertNotEquals(new PutResponse(HEADER, Optional.empty()),
                new PutResponse(HEADER, Optional.of(new KeyValue(KEY, 1, 1, 1, KEY, 0))));
        assertEquals("ResponseHeader[clusterId=ab, memberId=ffffffffffffffff, revision=5, raftTerm=18446744073709551615]",
                new ResponseHeader(0xABL, -1L, 5, -1L).toString(), "ids in hex, unsigned");
    }
}
