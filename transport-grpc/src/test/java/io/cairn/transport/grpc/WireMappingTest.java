package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.KvMapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.ResponseOp;
import io.grpc.Status;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The proto ⇄ api mapping of the messages with structure: nested txns, compares, sorts, watches, errors. */
class WireMappingTest {

    private static final ByteString BINARY = ByteString.copyFrom(new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80});
    private static final ResponseHeader HEADER = new ResponseHeader(-1L, 0x8000_0000_0000_0001L, 9, 3);

    private static ByteString utf8(String text) {
        return ByteString.copyFromUtf8(text);
    }

    @Test
    void nestedTxnRequestMapsEveryOperationAndCompare() {
        var wire = io.cairn.etcd.protocol.etcdserverpb.TxnRequest.newBuilder()
                .addCompare(io.cairn.etcd.protocol.etcdserverpb.Compare.newBuilder()
                        .setResult(io.cairn.etcd.protocol.etcdserverpb.Compare.CompareResult.NOT_EQUAL)
                        .setTarget(io.cairn.etcd.protocol.etcdserverpb.Compare.CompareTarget.VALUE)
                        .setKey(utf8("a")).setValue(BINARY))
                .addCompare(io.cairn.etcd.protocol.etcdserverpb.Compare.newBuilder()
                        .setResult(io.cairn.etcd.protocol.etcdserverpb.Compare.CompareResult.LESS)
                        .setTarget(io.cairn.etcd.protocol.etcdserverpb.Compare.CompareTarget.MOD)
                        .setKey(utf8("p/")).setRangeEnd(utf8("p0")).setModRevision(-42))
                // The union holds a version, but the target is LEASE: etcd reads GetLease() = 0.
                .addCompare(io.cairn.etcd.protocol.etcdserverpb.Compare.newBuilder()
                        .setTarget(io.cairn.etcd.protocol.etcdserverpb.Compare.CompareTarget.LEASE)
                        .setKey(utf8("l")).setVersion(5))
                .addSuccess(RequestOp.newBuilder().setRequestRange(
                        io.cairn.etcd.protocol.etcdserverpb.RangeRequest.newBuilder()
                                .setKey(utf8("r")).setRangeEnd(ByteString.copyFrom(new byte[] {0}))
                                .setLimit(-5).setRevision(-1).setMaxModRevision(-3).setMinCreateRevision(4)
                                .setSortOrder(io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortOrder.DESCEND)
                                .setSortTarget(io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortTarget.CREATE)
                                .setSerializable(true).setCountOnly(true)))
                .addSuccess(RequestOp.newBuilder().setRequestPut(
                        io.cairn.etcd.protocol.etcdserverpb.PutRequest.newBuilder()
                                .setKey(BINARY).setValue(utf8("v")).setLease(7).setPrevKv(true).setIgnoreLease(true)))
                .addSuccess(RequestOp.newBuilder().setRequestTxn(
                        io.cairn.etcd.protocol.etcdserverpb.TxnRequest.newBuilder()
                                .addFailure(RequestOp.newBuilder().setRequestDeleteRange(
                                        io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest.newBuilder()
                                                .setKey(utf8("x")).setRangeEnd(utf8("y")).setPrevKv(true)))))
                .build();

        TxnRequest api = KvMapping.toApi(wire);

        assertEquals(List.of(
                Compare.value(Bytes.fromUtf8("a"), Compare.Result.NOT_EQUAL, KvMapping.toApi(BINARY)),
                Compare.modRevision(Bytes.fromUtf8("p/"), Compare.Result.LESS, -42).withRangeEnd(Bytes.fromUtf8("p0")),
                Compare.lease(Bytes.fromUtf8("l"), Compare.Result.EQUAL, 0)), api.compare());
        assertEquals(3, api.success().size());
        assertEquals(RangeRequest.range(Bytes.fromUtf8("r"), Bytes.NUL)
                .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.DESCEND)
                .withSerializable(true).withCountOnly(true).withCreateRevisionBounds(4, 0), api.success().get(0));
        assertEquals(PutRequest.of(KvMapping.toApi(BINARY), Bytes.fromUtf8("v")).withLease(7).withPrevKv(true)
                .withIgnoreLease(true), api.success().get(1));
        var nested = assertInstanceOf(TxnRequest.class, api.success().get(2));
        assertEquals(List.of(DeleteRangeRequest.of(new io.cairn.api.KeyRange(Bytes.fromUtf8("x"), Bytes.fromUtf8("y")))
                .withPrevKv(true)), nested.failure());
        assertEquals(List.of(), api.failure());
        assertEquals(Bytes.of(new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80}), ((PutRequest) api.success().get(1)).key());
    }

    @Test
    void anEmptyTxnOperationIsRefusedNotDropped() {
        var wire = io.cairn.etcd.protocol.etcdserverpb.TxnRequest.newBuilder()
                .addSuccess(RequestOp.getDefaultInstance()).build();
        var refused = assertThrows(CairnException.class, () -> KvMapping.toApi(wire));
        assertEquals(StatusCode.INVALID_ARGUMENT, refused.status());
    }

    @Test
    void nestedTxnResponseMapsEveryKind() {
        KeyValue kv = new KeyValue(Bytes.fromUtf8("k"), 2, 5, 3, Bytes.of(new byte[] {1, 2}), 0x77);
        var api = new io.cairn.api.kv.TxnResponse(HEADER, true, List.of(
                new io.cairn.api.kv.RangeResponse(HEADER, List.of(kv), true, 10),
                new io.cairn.api.kv.PutResponse(HEADER, Optional.of(kv)),
                new io.cairn.api.kv.DeleteRangeResponse(HEADER, 1, List.of(kv)),
                new io.cairn.api.kv.TxnResponse(HEADER, false, List.of(new io.cairn.api.kv.PutResponse(HEADER, Optional.empty())))));

        var wire = KvMapping.toWire(api);

        assertTrue(wire.getSucceeded());
        assertEquals(-1L, wire.getHeader().getClusterId());
        assertEquals(0x8000_0000_0000_0001L, wire.getHeader().getMemberId());
        assertEquals(List.of(ResponseOp.ResponseCase.RESPONSE_RANGE, ResponseOp.ResponseCase.RESPONSE_PUT,
                ResponseOp.ResponseCase.RESPONSE_DELETE_RANGE, ResponseOp.ResponseCase.RESPONSE_TXN),
                wire.getResponsesList().stream().map(ResponseOp::getResponseCase).toList());
        var range = wire.getResponses(0).getResponseRange();
        assertEquals(10, range.getCount());
        assertTrue(range.getMore());
        assertEquals(kv, KvMapping.toApi(range.getKvs(0)));
        assertTrue(wire.getResponses(1).getResponsePut().hasPrevKv());
        assertEquals(1, wire.getResponses(2).getResponseDeleteRange().getDeleted());
        var inner = wire.getResponses(3).getResponseTxn();
        assertFalse(inner.getSucceeded());
        assertFalse(inner.getResponses(0).getResponsePut().hasPrevKv());
    }

    static Stream<Arguments> sorts() {
        var orders = io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortOrder.values();
        var targets = io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortTarget.values();
        return Stream.of(orders).filter(o -> o != io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortOrder.UNRECOGNIZED)
                .flatMap(order -> Stream.of(targets)
                        .filter(t -> t != io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortTarget.UNRECOGNIZED)
                        .map(target -> Arguments.of(order, target)));
    }

    @ParameterizedTest
    @MethodSource("sorts")
    void everySortOptionMapsByName(io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortOrder order,
            io.cairn.etcd.protocol.etcdserverpb.RangeRequest.SortTarget target) {
        var api = KvMapping.toApi(io.cairn.etcd.protocol.etcdserverpb.RangeRequest.newBuilder()
                .setKey(utf8("k")).setSortOrder(order).setSortTarget(target).build());
        assertEquals(order.name(), api.sortOrder().name());
        assertEquals(target.name(), api.sortTarget().name());
    }

    @Test
    void unknownSortOptionsGetEtcdsError() {
        for (var wire : List.of(
                io.cairn.etcd.protocol.etcdserverpb.RangeRequest.newBuilder().setKey(utf8("k")).setSortOrderValue(3).build(),
                io.cairn.etcd.protocol.etcdserverpb.RangeRequest.newBuilder().setKey(utf8("k")).setSortTargetValue(9).build())) {
            var refused = assertThrows(CairnException.class, () -> KvMapping.toApi(wire));
            assertTrue(refused.is(ErrorCode.INVALID_SORT_OPTION), refused.getMessage());
            assertEquals("etcdserver: invalid sort option", refused.getMessage());
        }
    }

    @Test
    void watchCreateRequestMapsAsEtcdsWatchServerDoes() {
        var wire = io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest.newBuilder()
                .setRangeEnd(utf8("z")).setStartRevision(-9).setProgressNotify(true)
                .addFilters(io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest.FilterType.NODELETE)
                .addFilters(io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest.FilterType.NOPUT)
                .setPrevKv(true).setWatchId(12).setFragment(true)
                .build();

        WatchCreateRequest api = KvMapping.toApi(wire);

        assertEquals(Bytes.NUL, api.key(), "an empty key is the smallest key, \\0");
        assertEquals(Bytes.fromUtf8("z"), api.rangeEnd());
        assertEquals(0, api.startRevision());
        assertEquals(Set.of(WatchCreateRequest.Filter.NOPUT, WatchCreateRequest.Filter.NODELETE), api.filters());
        assertTrue(api.progressNotify() && api.prevKv() && api.fragment());
        assertEquals(12, api.watchId());

        var badFilter = wire.toBuilder().addFiltersValue(5).build();
        assertEquals(StatusCode.INVALID_ARGUMENT, assertThrows(CairnException.class, () -> KvMapping.toApi(badFilter)).status());
        var negativeId = wire.toBuilder().setWatchId(-1).build();
        var refused = assertThrows(CairnException.class, () -> KvMapping.toApi(negativeId));
        assertTrue(refused.getMessage().contains("watch_id"), refused.getMessage());
    }

    @Test
    void watchResponsesCarryEventsAndACompactedCreateIsSplitAsEtcdSendsIt() {
        KeyValue before = new KeyValue(Bytes.fromUtf8("k"), 2, 2, 1, Bytes.fromUtf8("old"), 0);
        KeyValue deleted = new KeyValue(Bytes.fromUtf8("k"), 0, 7, 0, Bytes.EMPTY, 0);
        var events = new io.cairn.api.watch.WatchResponse(HEADER, 4, false, false, 0, "", true, List.of(
                new Event(Event.Type.PUT, before, Optional.empty()),
                new Event(Event.Type.DELETE, deleted, Optional.of(before))));
        var wire = WatchService.toWire(events);
        assertEquals(1, wire.size());
        assertEquals(4, wire.get(0).getWatchId());
        assertTrue(wire.get(0).getFragment());
        assertEquals(io.cairn.etcd.protocol.mvccpb.Event.EventType.DELETE, wire.get(0).getEvents(1).getType());
        assertEquals(before, KvMapping.toApi(wire.get(0).getEvents(1).getPrevKv()));
        assertFalse(wire.get(0).getEvents(0).hasPrevKv());

        var compacted = new io.cairn.api.watch.WatchResponse(HEADER, 3, true, true, 6,
                ErrorCode.COMPACTED.message(), false, List.of());
        var split = WatchService.toWire(compacted);
        assertEquals(2, split.size());
        assertTrue(split.get(0).getCreated() && !split.get(0).getCanceled());
        assertEquals(0, split.get(0).getCompactRevision());
        assertTrue(!split.get(1).getCreated() && split.get(1).getCanceled());
        assertEquals(6, split.get(1).getCompactRevision());
        assertEquals(3, split.get(1).getWatchId());

        var progress = new io.cairn.api.watch.WatchResponse(HEADER, -1, false, false, 0, "", false, List.of());
        assertEquals(-1, WatchService.toWire(progress).get(0).getWatchId());
    }

    @Test
    void bytesCrossUnchangedBothWays() {
        Bytes api = Bytes.of(new byte[] {0, (byte) 0xFF, 1});
        ByteString wire = KvMapping.toWire(api);
        assertEquals(ByteString.copyFrom(new byte[] {0, (byte) 0xFF, 1}), wire);
        assertEquals(api, KvMapping.toApi(wire));
        assertEquals(ByteString.EMPTY, KvMapping.toWire(Bytes.EMPTY));
        assertEquals(Bytes.EMPTY, KvMapping.toApi(ByteString.EMPTY));
    }

    @Test
    void negativeLeaseTtlBecomesZeroButANegativeIdIsRefused() {
        var ttl = ServiceMapping.toApi(io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest.newBuilder().setTTL(-5).build());
        assertEquals(0, ttl.ttl());
        assertThrows(CairnException.class, () -> ServiceMapping.toApi(
                io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest.newBuilder().setID(-5).build()));
    }

    @Test
    void errorsBecomeStatusesWithEtcdsMessages() {
        var compacted = GrpcErrors.toStatus(new CompletionException(new CompactedException(5))).getStatus();
        assertEquals(Status.Code.OUT_OF_RANGE, compacted.getCode());
        assertEquals("etcdserver: mvcc: required revision has been compacted", compacted.getDescription());

        var noLeader = GrpcErrors.toStatus(new CairnException(ErrorCode.NO_LEADER)).getStatus();
        assertEquals(Status.Code.UNAVAILABLE, noLeader.getCode());
        assertEquals("etcdserver: no leader", noLeader.getDescription());

        assertEquals(Status.Code.CANCELLED, GrpcErrors.toStatus(new CancellationException()).getStatus().getCode());

        var bug = GrpcErrors.toStatus(new IllegalStateException("boom")).getStatus();
        assertEquals(Status.Code.INTERNAL, bug.getCode());
        assertTrue(bug.getDescription().contains("boom"), bug.getDescription());
    }

    @Test
    void maintenanceAndClusterMessagesKeepUnsignedNumbersBitForBit() {
        var hash = ServiceMapping.toWire(new io.cairn.api.maintenance.HashResponse(HEADER, 0xFFFF_FFFEL));
        assertEquals(0xFFFF_FFFEL, Integer.toUnsignedLong(hash.getHash()));
        var hashKv = ServiceMapping.toWire(new io.cairn.api.maintenance.HashKVResponse(HEADER, 0x8000_0000L, 4, 9));
        assertEquals(0x8000_0000L, Integer.toUnsignedLong(hashKv.getHash()));
        assertEquals(4, hashKv.getCompactRevision());
        assertEquals(9, hashKv.getHashRevision());

        var status = ServiceMapping.toWire(new io.cairn.api.maintenance.StatusResponse(HEADER, "3.6.0", 10, -2L, -3L, 7,
                -4L, List.of("alarm: NOSPACE"), 5, true, "3.6", 1 << 30,
                new io.cairn.api.maintenance.DowngradeInfo(true, "3.5")));
        assertEquals(-2L, status.getLeader());
        assertEquals(-3L, status.getRaftIndex());
        assertEquals(-4L, status.getRaftAppliedIndex());
        assertEquals(List.of("alarm: NOSPACE"), status.getErrorsList());
        assertTrue(status.getIsLearner());
        assertEquals("3.5", status.getDowngradeInfo().getTargetVersion());

        var member = ServiceMapping.toWire(new io.cairn.api.cluster.Member(-1L, "m", List.of("http://p:2380"),
                List.of("http://c:2379"), true));
        assertEquals(-1L, member.getID());
        assertEquals(List.of("http://p:2380"), member.getPeerURLsList());
        assertTrue(member.getIsLearner());

        var alarm = ServiceMapping.toApi(io.cairn.etcd.protocol.etcdserverpb.AlarmRequest.newBuilder()
                .setAction(io.cairn.etcd.protocol.etcdserverpb.AlarmRequest.AlarmAction.DEACTIVATE)
                .setMemberID(-9L).setAlarm(io.cairn.etcd.protocol.etcdserverpb.AlarmType.NOSPACE).build());
        assertEquals(new io.cairn.api.maintenance.AlarmRequest(io.cairn.api.maintenance.AlarmRequest.Action.DEACTIVATE,
                -9L, io.cairn.api.maintenance.AlarmType.NOSPACE), alarm);
        assertThrows(CairnException.class, () -> ServiceMapping.toApi(
                io.cairn.etcd.protocol.etcdserverpb.AlarmRequest.newBuilder().setAlarmValue(7).build()));
    }

    @Test
    void permissionsAndLeaderKeysRoundTrip() {
        for (var type : io.cairn.api.auth.Permission.Type.values()) {
            var api = new io.cairn.api.auth.Permission(type, Bytes.fromUtf8("a"), Bytes.NUL);
            assertEquals(api, ServiceMapping.toApi(ServiceMapping.toWire(api)));
        }
        var leader = new io.cairn.api.election.LeaderKey(Bytes.fromUtf8("e"), Bytes.fromUtf8("e/694d"), 12, 0x694d);
        assertEquals(leader, ServiceMapping.toApi(ServiceMapping.toWire(leader)));
    }
}
