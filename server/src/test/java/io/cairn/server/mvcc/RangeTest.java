package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeRequest.SortOrder;
import io.cairn.api.kv.RangeRequest.SortTarget;
import io.cairn.api.kv.RangeResponse;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Range reads, one row per case, on a fixed history. */
class RangeTest extends MvccTestSupport {

    /*
     * The history every row reads (revision: change):
     *  2: put a=1   3: put b=22   4: put c=3   5: put a=4 (a version 2)   6: put d=0
     *  7: delete c   8: put e=5   9: put ab=9   10: put b=1 (b version 2)
     * Live at 10: a(2,5,v2,"4") ab(9,9,v1,"9") b(3,10,v2,"1") d(6,6,v1,"0") e(8,8,v1,"5")
     */
    @BeforeEach
    void history() {
        put("a", "1");
        put("b", "22");
        put("c", "3");
        put("a", "4");
        put("d", "0");
        delete("c");
        put("e", "5");
        put("ab", "9");
        put("b", "1");
        assertEquals(10, store.currentRevision());
    }

    record Row(String name, RangeRequest request, List<String> keys, boolean more, long count) {
        @Override
        public String toString() {
            return name;
        }
    }

    static RangeRequest range(String key, String end) {
        return RangeRequest.range(b(key), b(end));
    }

    static Stream<Row> rows() {
        RangeRequest all = RangeRequest.all();
        return Stream.of(
                new Row("single key", RangeRequest.of(b("a")), List.of("a"), false, 1),
                new Row("missing key", RangeRequest.of(b("zz")), List.of(), false, 0),
                new Row("deleted key", RangeRequest.of(b("c")), List.of(), false, 0),
                new Row("half-open range", range("a", "c"), List.of("a", "ab", "b"), false, 3),
                new Row("range end below key is empty", range("d", "a"), List.of(), false, 0),
                new Row("prefix", RangeRequest.prefix(b("a")), List.of("a", "ab"), false, 2),
                new Row("from key (\\0 end)", RangeRequest.range(b("b"), Bytes.NUL), List.of("b", "d", "e"), false, 3),
                new Row("all keys (\\0, \\0)", all, List.of("a", "ab", "b", "d", "e"), false, 5),
                new Row("limit sets more, count is total", all.withLimit(2), List.of("a", "ab"), true, 5),
                new Row("limit equal to size", all.withLimit(5), List.of("a", "ab", "b", "d", "e"), false, 5),
                new Row("history read", all.withRevision(4), List.of("a", "b", "c"), false, 3),
                new Row("history read before deletion", RangeRequest.of(b("c")).withRevision(6), List.of("c"), false, 1),
                new Row("revision 1 is empty", all.withRevision(1), List.of(), false, 0),
                new Row("sort by key descending", all.withSort(SortTarget.KEY, SortOrder.DESCEND),
                        List.of("e", "d", "b", "ab", "a"), false, 5),
                new Row("sort by key ascending", all.withSort(SortTarget.KEY, SortOrder.ASCEND),
                        List.of("a", "ab", "b", "d", "e"), false, 5),
                new Row("sort by value ascending", all.withSort(SortTarget.VALUE, SortOrder.ASCEND),
                        List.of("d", "b", "a", "e", "ab"), false, 5),
                new Row("sort by mod descending", all.withSort(SortTarget.MOD, SortOrder.DESCEND),
                        List.of("b", "ab", "e", "d", "a"), false, 5),
                new Row("sort by create ascending", all.withSort(SortTarget.CREATE, SortOrder.ASCEND),
                        List.of("a", "b", "d", "e", "ab"), false, 5),
                new Row("sort by version descending, ties in key order", all.withSort(SortTarget.VERSION, SortOrder.DESCEND),
                        List.of("a", "b", "ab", "d", "e"), false, 5),
                new Row("target without order sorts ascending", all.withSort(SortTarget.MOD, SortOrder.NONE),
                        List.of("a", "d", "e", "ab", "b"), false, 5),
                new Row("limit applies after sort", all.withSort(SortTarget.MOD, SortOrder.DESCEND).withLimit(2),
                        List.of("b", "ab"), true, 5),
                // etcd quirk: order NONE keeps the early limit, so it sorts the first limit+1 keys only
                new Row("NONE order with target sorts the first limit+1 keys", all.withSort(SortTarget.MOD, SortOrder.NONE).withLimit(2),
                        List.of("a", "ab"), true, 5),
                new Row("min mod revision", all.withModRevisionBounds(8, 0), List.of("ab", "b", "e"), false, 5),
                new Row("max mod revision", all.withModRevisionBounds(0, 6), List.of("a", "d"), false, 5),
                new Row("mod revision window", all.withModRevisionBounds(6, 8), List.of("d", "e"), false, 5),
                new Row("min create revision", all.withCreateRevisionBounds(6, 0), List.of("ab", "d", "e"), false, 5),
                new Row("max create revision", all.withCreateRevisionBounds(0, 3), List.of("a", "b"), false, 5),
                new Row("filters then limit: more counts filtered keys", all.withCreateRevisionBounds(0, 3).withLimit(1),
                        List.of("a"), true, 5),
                new Row("count only", all.withCountOnly(true), List.of(), false, 5),
                new Row("count only with limit", all.withCountOnly(true).withLimit(1), List.of(), false, 5),
                new Row("serializable is the same read", all.withSerializable(true), List.of("a", "ab", "b", "d", "e"), false, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void range(Row row) {
        RangeResponse response = store.range(row.request());
        assertEquals(row.keys(), keys(response), "keys");
        assertEquals(row.more(), response.more(), "more");
        assertEquals(row.count(), response.count(), "count");
        assertEquals(10, response.header().revision(), "the header carries the current revision");
    }

    @Test
    void returnsEveryFieldOfTheVersionRead() {
        assertEquals(kv("a", 2, 5, 2, "4", 0), only(get("a")));
        assertEquals(kv("a", 2, 2, 1, "1", 0), only(store.range(RangeRequest.of(b("a")).withRevision(4))));
        assertEquals(kv("b", 3, 10, 2, "1", 0), only(get("b")));
    }

    @Test
    void keysOnlyDropsValues() {
        RangeResponse response = store.range(RangeRequest.prefix(b("a")).withKeysOnly(true));
        assertEquals(List.of(kv("a", 2, 5, 2, "", 0), kv("ab", 9, 9, 1, "", 0)), response.kvs());
    }

    @Test
    void aRecreatedKeyStartsOver() {
        put("c", "again");
        assertEquals(kv("c", 11, 11, 1, "again", 0), only(get("c")));
        assertEquals(kv("c", 4, 4, 1, "3", 0), only(store.range(RangeRequest.of(b("c")).withRevision(6))));
    }

    @Test
    void rejectsFutureRevisionsEmptyKeysAndCompactedRevisions() {
        CairnException future = assertThrows(CairnException.class, () -> store.range(RangeRequest.all().withRevision(11)));
        assertTrue(future.is(ErrorCode.FUTURE_REVISION));
        assertEquals("etcdserver: mvcc: required revision is a future revision", future.getMessage());
        CairnException empty = assertThrows(CairnException.class, () -> store.range(RangeRequest.of(Bytes.EMPTY)));
        assertEquals("etcdserver: key is not provided", empty.getMessage());
        store.applyCompaction(nextIndex(), 5);
        CompactedException compacted = assertThrows(CompactedException.class,
                () -> store.range(RangeRequest.all().withRevision(4)));
        assertEquals("etcdserver: mvcc: required revision has been compacted", compacted.getMessage());
        assertEquals(5, compacted.compactRevision().getAsLong());
        assertEquals(List.of("a", "b", "c"), keys(store.range(RangeRequest.all().withRevision(5))));
    }

    @Test
    void longHistoriesAreSkippedBySeeking() {
        for (int i = 0; i < 3 * VersionScanner.SKIP_BUDGET; i++) {
            put("b", "v" + i);
        }
        long later = store.currentRevision();
        assertEquals(List.of("a", "ab", "b", "d", "e"), keys(store.range(RangeRequest.all())));
        assertEquals("v" + (3 * VersionScanner.SKIP_BUDGET - 1), only(get("b")).value().toUtf8());
        // a history read must seek past the many newer versions of b
        assertEquals(kv("b", 3, 10, 2, "1", 0), only(store.range(RangeRequest.of(b("b")).withRevision(10))));
        assertEquals(List.of("a", "ab", "b", "d", "e"), keys(store.range(RangeRequest.all().withRevision(10))));
        assertFalse(store.range(RangeRequest.all().withRevision(later)).kvs().isEmpty());
    }
}
