package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.watch.Event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Puts, deletes, their revisions, events and lease bookkeeping. */
class WriteTest extends MvccTestSupport {

    @Test
    void revisionsStartAtOneAndEveryChangingWriteTakesTheNext() {
        assertEquals(1, store.currentRevision());
        assertEquals(1, store.range(RangeRequest.all()).header().revision());
        assertEquals(2, put("a", "1"));
        assertEquals(3, put("a", "2"));
        assertEquals(3, store.applyDeleteRange(nextIndex(), DeleteRangeRequest.of(b("missing"))).revision(),
                "deleting nothing does not bump the revision");
        assertEquals(4, delete("a"));
        assertEquals(5, put("a", "3"));
        assertEquals(kv("a", 5, 5, 1, "3", 0), only(get("a")), "version and create revision start over after a delete");
    }

    @Test
    void putReturnsPrevKvOnlyWhenAskedAndPresent() {
        PutResponse first = store.applyPut(nextIndex(), PutRequest.of(b("k"), b("1")).withPrevKv(true)).response();
        assertEquals(Optional.empty(), first.prevKv());
        assertEquals(2, first.header().revision());
        PutResponse second = store.applyPut(nextIndex(), PutRequest.of(b("k"), b("2")).withPrevKv(true)).response();
        assertEquals(Optional.of(kv("k", 2, 2, 1, "1", 0)), second.prevKv());
        PutResponse third = store.applyPut(nextIndex(), PutRequest.of(b("k"), b("3"))).response();
        assertEquals(Optional.empty(), third.prevKv());
    }

    @Test
    void ignoreValueAndIgnoreLeaseKeepWhatTheKeyHas() {
        put("k", "value", 100);
        store.applyPut(nextIndex(), PutRequest.of(b("k"), Bytes.EMPTY).withIgnoreValue(true).withLease(200));
        assertEquals(kv("k", 2, 3, 2, "value", 200), only(get("k")));
        store.applyPut(nextIndex(), PutRequest.of(b("k"), b("new")).withIgnoreLease(true));
        assertEquals(kv("k", 2, 4, 3, "new", 200), only(get("k")));
        assertEquals(List.of(b("k")), store.keysOfLease(200));
        assertEquals(List.of(), store.keysOfLease(100));
    }

    record Rejection(String name, PutRequest request, ErrorCode error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Rejection> rejectedPuts() {
        return Stream.of(
                new Rejection("empty key", PutRequest.of(Bytes.EMPTY, b("v")), ErrorCode.EMPTY_KEY),
                new Rejection("ignore_value with a value", PutRequest.of(b("k"), b("v")).withIgnoreValue(true), ErrorCode.VALUE_PROVIDED),
                new Rejection("ignore_lease with a lease", PutRequest.of(b("k"), b("v")).withLease(100).withIgnoreLease(true),
                        ErrorCode.LEASE_PROVIDED),
                new Rejection("ignore_value on a missing key", PutRequest.of(b("missing"), Bytes.EMPTY).withIgnoreValue(true),
                        ErrorCode.KEY_NOT_FOUND),
                new Rejection("ignore_lease on a missing key", PutRequest.of(b("missing"), b("v")).withIgnoreLease(true),
                        ErrorCode.KEY_NOT_FOUND),
                new Rejection("ignore_value on a deleted key", PutRequest.of(b("gone"), Bytes.EMPTY).withIgnoreValue(true),
                        ErrorCode.KEY_NOT_FOUND),
                new Rejection("unknown lease", PutRequest.of(b("k"), b("v")).withLease(12345), ErrorCode.LEASE_NOT_FOUND));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedPuts")
    void rejectedPutsChangeNothingButTheAppliedIndex(Rejection row) {
        put("gone", "x");
        delete("gone");
        long revision = store.currentRevision();
        HashResult hash = store.hashKv(0);
        long index = nextIndex();
        CairnException error = assertThrows(CairnException.class, () -> store.applyPut(index, row.request()));
        assertTrue(error.is(row.error()), () -> "expected " + row.error() + " but got " + error.getMessage());
        assertEquals(row.error().message(), error.getMessage());
        assertEquals(revision, store.currentRevision());
        assertEquals(hash, store.hashKv(0));
        assertEquals(index, store.consistentIndex(), "a rejected entry is still applied");
    }

    @Test
    void deleteRangeDeletesLiveKeysAtOneRevisionWithPrevKvs() {
        put("a", "1");
        put("b", "2");
        put("c", "3");
        delete("b");
        WriteResult<DeleteRangeResponse> result = store.applyDeleteRange(nextIndex(),
                DeleteRangeRequest.of(io.cairn.api.KeyRange.fromKey(b("a"))).withPrevKv(true));
        assertEquals(2, result.response().deleted());
        assertEquals(List.of(kv("a", 2, 2, 1, "1", 0), kv("c", 4, 4, 1, "3", 0)), result.response().prevKvs());
        assertEquals(6, result.revision());
        assertEquals(6, result.response().header().revision());
        assertEquals(List.of(
                new Event(Event.Type.DELETE, kv("a", 0, 6, 0, "", 0), Optional.of(kv("a", 2, 2, 1, "1", 0))),
                new Event(Event.Type.DELETE, kv("c", 0, 6, 0, "", 0), Optional.of(kv("c", 4, 4, 1, "3", 0)))),
                result.events());
        assertEquals(0, store.range(RangeRequest.all()).count());
        assertThrows(CairnException.class, () -> store.applyDeleteRange(nextIndex(), DeleteRangeRequest.of(Bytes.EMPTY)));
    }

    @Test
    void putEventsCarryTheNewAndPreviousVersion() {
        WriteResult<PutResponse> first = store.applyPut(nextIndex(), PutRequest.of(b("k"), b("1")).withLease(100));
        assertEquals(List.of(new Event(Event.Type.PUT, kv("k", 2, 2, 1, "1", 100), Optional.empty())), first.events());
        WriteResult<PutResponse> second = store.applyPut(nextIndex(), PutRequest.of(b("k"), b("2")));
        assertEquals(List.of(new Event(Event.Type.PUT, kv("k", 2, 3, 2, "2", 0), Optional.of(kv("k", 2, 2, 1, "1", 100)))),
                second.events());
    }

    @Test
    void leaseKeysFollowPutsDeletesAndRevokes() {
        put("a", "1", 100);
        put("b", "1", 100);
        put("c", "1", 200);
        put("d", "1", 100);
        put("d", "2", 200); // moves d from lease 100 to 200
        delete("b");
        assertEquals(List.of(b("a")), store.keysOfLease(100));
        assertEquals(List.of(b("c"), b("d")), store.keysOfLease(200));
        int[] sameBatchCalls = {0};
        WriteResult<Long> revoke = store.applyLeaseRevoke(nextIndex(), 200, batch -> sameBatchCalls[0]++);
        assertEquals(2L, revoke.response());
        assertEquals(1, sameBatchCalls[0]);
        assertEquals(8, revoke.revision(), "every key of the lease goes in one revision");
        assertEquals(List.of("c", "d"), revoke.events().stream().map(e -> e.kv().key().toUtf8()).toList());
        assertTrue(revoke.events().stream().allMatch(e -> e.type() == Event.Type.DELETE && e.kv().modRevision() == 8));
        assertEquals(List.of(), store.keysOfLease(200));
        assertEquals(List.of("a"), keys(store.range(RangeRequest.all())));
        assertEquals(8, store.applyLeaseRevoke(nextIndex(), 300, null).revision(), "revoking a lease without keys changes nothing");
    }

    @Test
    void appliedIndexMustGrow() {
        put("a", "1");
        long applied = store.consistentIndex();
        assertThrows(IllegalArgumentException.class, () -> store.applyPut(applied, PutRequest.of(b("a"), b("2"))));
        store.recordApplied(applied + 5);
        assertEquals(applied + 5, store.consistentIndex());
        assertEquals(2, store.currentRevision());
    }

    @Test
    void keysWithZeroAndFfBytesKeepTheirOrder() {
        List<Bytes> keys = List.of(Bytes.of((byte) 0), Bytes.of((byte) 0, (byte) 0), Bytes.of((byte) 'a'),
                Bytes.of((byte) 'a', (byte) 0), Bytes.of((byte) 'a', (byte) 0, (byte) 1), Bytes.of((byte) 'a', (byte) 1),
                Bytes.of((byte) 'a', (byte) 0xFF), Bytes.of((byte) 0xFF), Bytes.of((byte) 0xFF, (byte) 0xFF));
        for (int i = keys.size() - 1; i >= 0; i--) {
            store.applyPut(nextIndex(), PutRequest.of(keys.get(i), b("v" + i)));
        }
        Supplier<List<Bytes>> all = () -> store.range(RangeRequest.all()).kvs().stream().map(kv -> kv.key()).toList();
        assertEquals(keys, all.get());
        assertEquals(List.of(keys.get(2), keys.get(3), keys.get(4), keys.get(5), keys.get(6)),
                store.range(RangeRequest.prefix(b("a"))).kvs().stream().map(kv -> kv.key()).toList());
        assertEquals(1, store.range(RangeRequest.of(Bytes.of((byte) 'a', (byte) 0))).count());
    }
}
