package io.cairn.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.cairn.api.Bytes;
import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.KvMapping;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The client's directions of the mapping ({@link ClientMapping}) are the inverse of the server's
 * ({@link KvMapping}): a request the client encodes is the request the server decodes, and a
 * response the server encodes is the response the client decodes. And the namespace's range rules.
 */
class MappingTest {

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    private static final ResponseHeader HEADER = new ResponseHeader(11, 22, 33, 44);
    private static final KeyValue KV = new KeyValue(b("k"), 3, 5, 2, b("v"), 7);

    @Test
    void requestsSurviveClientEncodingAndServerDecoding() {
        RangeRequest range = new RangeRequest(b("a"), b("z"), 10, 4, RangeRequest.SortOrder.DESCEND,
                RangeRequest.SortTarget.MOD, true, true, false, 1, 9, 2, 8);
        assertEquals(range, KvMapping.toApi(ClientMapping.toWire(range)));
        PutRequest put = PutRequest.of(b("k"), b("v")).withLease(7).withPrevKv(true).withIgnoreLease(true);
        assertEquals(put, KvMapping.toApi(ClientMapping.toWire(put)));
        DeleteRangeRequest delete = DeleteRangeRequest.of(b("a")).withRangeEnd(b("b")).withPrevKv(true);
        assertEquals(delete, KvMapping.toApi(ClientMapping.toWire(delete)));
        List<Compare> compares = List.of(
                new Compare(Compare.Result.EQUAL, Compare.Target.VALUE, b("k"), Bytes.EMPTY, 0, b("v")),
                new Compare(Compare.Result.GREATER, Compare.Target.VERSION, b("k"), b("l"), 3, Bytes.EMPTY),
                new Compare(Compare.Result.LESS, Compare.Target.CREATE, b("k"), Bytes.EMPTY, 4, Bytes.EMPTY),
                new Compare(Compare.Result.NOT_EQUAL, Compare.Target.MOD, b("k"), Bytes.EMPTY, 5, Bytes.EMPTY),
                new Compare(Compare.Result.EQUAL, Compare.Target.LEASE, b("k"), Bytes.EMPTY, 6, Bytes.EMPTY));
        TxnRequest txn = new TxnRequest(compares, List.of(put, range, new TxnRequest(List.of(), List.of(delete), List.of())),
                List.of(delete));
        assertEquals(txn, KvMapping.toApi(ClientMapping.toWire(txn)));
        WatchCreateRequest watch = new WatchCreateRequest(b("w"), b("x"), 12, true,
                Set.of(WatchCreateRequest.Filter.NODELETE), true, 3, true);
        assertEquals(watch, KvMapping.toApi(ClientMapping.toWire(watch)));
    }

    @Test
    void responsesSurviveServerEncodingAndClientDecoding() {
        RangeResponse range = new RangeResponse(HEADER, List.of(KV), true, 5);
        assertEquals(range, ClientMapping.toApi(KvMapping.toWire(range)));
        PutResponse put = new PutResponse(HEADER, Optional.of(KV));
        assertEquals(put, ClientMapping.toApi(KvMapping.toWire(put)));
        assertEquals(new PutResponse(HEADER, Optional.empty()),
                ClientMapping.toApi(KvMapping.toWire(new PutResponse(HEADER, Optional.empty()))));
        DeleteRangeResponse delete = new DeleteRangeResponse(HEADER, 1, List.of(KV));
        assertEquals(delete, ClientMapping.toApi(KvMapping.toWire(delete)));
        TxnResponse txn = new TxnResponse(HEADER, true, List.of(range, put, delete,
                new TxnResponse(HEADER, false, List.of(range))));
        assertEquals(txn, ClientMapping.toApi(KvMapping.toWire(txn)));
        WatchResponse watch = new WatchResponse(HEADER, 4, false, false, 0, "", true, List.of(
                new Event(Event.Type.PUT, KV, Optional.empty()), new Event(Event.Type.DELETE, KV, Optional.of(KV))));
        assertEquals(watch, ClientMapping.toApi(KvMapping.toWire(watch)));
    }

    @Test
    void aNamespaceKeepsEveryRangeInsideItsPrefix() {
        Namespace ns = new Namespace(ByteString.copyFromUtf8("app/"));
        assertEquals(ByteString.copyFromUtf8("app/k"), ns.key(ByteString.copyFromUtf8("k")));
        assertEquals(ByteString.EMPTY, ns.rangeEnd(ByteString.EMPTY), "a single key stays a single key");
        assertEquals(ByteString.copyFromUtf8("app0"), ns.rangeEnd(ByteString.copyFrom(new byte[] {0})),
                "\"every key from here on\" ends at the end of the prefix");
        assertEquals(ByteString.copyFromUtf8("app/z"), ns.rangeEnd(ByteString.copyFromUtf8("z")));
        assertEquals(ByteString.copyFromUtf8("k"), ns.strip(ByteString.copyFromUtf8("app/k")));
        Namespace ff = new Namespace(ByteString.copyFrom(new byte[] {'a', (byte) 0xFF}));
        assertEquals(ByteString.copyFromUtf8("b"), ff.rangeEnd(ByteString.copyFrom(new byte[] {0})));
    }
}
