package io.cairn.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.cairn.etcd.protocol.etcdserverpb.Compare;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.cairn.etcd.protocol.mvccpb.KeyValue;
import io.cairn.etcd.protocol.v3electionpb.CampaignResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Messages built with jetcd's generated classes, encoded, decoded with ours and re-encoded: every
 * field must land in a known field of ours (a wrong field number would silently become an unknown
 * field, so that is checked), carry the same value, and give back the same bytes.
 */
class EtcdWireRoundTripTest {

    /** A key that is not UTF-8, so bytes fields are proven to stay bytes. */
    private static final ByteString BINARY_KEY = ByteString.copyFrom(new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80});

    @Test
    void txnRequestWithNestedComparesAndOps() throws InvalidProtocolBufferException {
        var theirs = io.etcd.jetcd.api.TxnRequest.newBuilder()
                .addCompare(io.etcd.jetcd.api.Compare.newBuilder()
                        .setResult(io.etcd.jetcd.api.Compare.CompareResult.NOT_EQUAL)
                        .setTarget(io.etcd.jetcd.api.Compare.CompareTarget.VALUE)
                        .setKey(utf8("config/a")).setValue(BINARY_KEY))
                .addCompare(io.etcd.jetcd.api.Compare.newBuilder()
                        .setResult(io.etcd.jetcd.api.Compare.CompareResult.GREATER)
                        .setTarget(io.etcd.jetcd.api.Compare.CompareTarget.MOD)
                        .setKey(utf8("config/")).setRangeEnd(utf8("config0")).setModRevision(-42))
                .addCompare(io.etcd.jetcd.api.Compare.newBuilder()
                        .setTarget(io.etcd.jetcd.api.Compare.CompareTarget.CREATE)
                        .setKey(utf8("lock")).setCreateRevision(Long.MAX_VALUE))
                .addSuccess(io.etcd.jetcd.api.RequestOp.newBuilder()
                        .setRequestPut(io.etcd.jetcd.api.PutRequest.newBuilder()
                                .setKey(BINARY_KEY).setValue(utf8("v")).setLease(0x7ab3_0000_0001L).setPrevKv(true)))
                .addSuccess(io.etcd.jetcd.api.RequestOp.newBuilder()
                        .setRequestRange(io.etcd.jetcd.api.RangeRequest.newBuilder()
                                .setKey(utf8("a")).setRangeEnd(utf8("b")).setLimit(10).setRevision(7)
                                .setSortOrder(io.etcd.jetcd.api.RangeRequest.SortOrder.DESCEND)
                                .setSortTarget(io.etcd.jetcd.api.RangeRequest.SortTarget.MOD)
                                .setSerializable(true).setKeysOnly(true).setMaxCreateRevision(99)))
                .addSuccess(io.etcd.jetcd.api.RequestOp.newBuilder()
                        .setRequestTxn(io.etcd.jetcd.api.TxnRequest.newBuilder()
                                .addCompare(io.etcd.jetcd.api.Compare.newBuilder().setKey(utf8("inner")).setVersion(3))
                                .addFailure(io.etcd.jetcd.api.RequestOp.newBuilder()
                                        .setRequestDeleteRange(io.etcd.jetcd.api.DeleteRangeRequest.newBuilder()
                                                .setKey(utf8("x")).setRangeEnd(ByteString.copyFrom(new byte[] {0}))))))
                .addFailure(io.etcd.jetcd.api.RequestOp.newBuilder()
                        .setRequestDeleteRange(io.etcd.jetcd.api.DeleteRangeRequest.newBuilder()
                                .setKey(utf8("gone")).setPrevKv(true)))
                .build();

        TxnRequest ours = roundTrip(theirs, TxnRequest.parser(), io.etcd.jetcd.api.TxnRequest.parser());

        assertEquals(3, ours.getCompareCount());
        assertEquals(Compare.CompareResult.NOT_EQUAL, ours.getCompare(0).getResult());
        assertEquals(Compare.TargetUnionCase.VALUE, ours.getCompare(0).getTargetUnionCase());
        assertEquals(BINARY_KEY, ours.getCompare(0).getValue());
        assertEquals(utf8("config0"), ours.getCompare(1).getRangeEnd());
        assertEquals(-42, ours.getCompare(1).getModRevision());
        assertEquals(Long.MAX_VALUE, ours.getCompare(2).getCreateRevision());
        assertEquals(RequestOp.RequestCase.REQUEST_PUT, ours.getSuccess(0).getRequestCase());
        assertEquals(0x7ab3_0000_0001L, ours.getSuccess(0).getRequestPut().getLease());
        assertEquals(RangeRequest.SortOrder.DESCEND, ours.getSuccess(1).getRequestRange().getSortOrder());
        assertEquals(RangeRequest.SortTarget.MOD, ours.getSuccess(1).getRequestRange().getSortTarget());
        assertEquals(99, ours.getSuccess(1).getRequestRange().getMaxCreateRevision());
        TxnRequest nested = ours.getSuccess(2).getRequestTxn();
        assertEquals(3, nested.getCompare(0).getVersion());
        assertEquals(utf8("x"), nested.getFailure(0).getRequestDeleteRange().getKey());
        assertTrue(ours.getFailure(0).getRequestDeleteRange().getPrevKv());
    }

    @Test
    void watchRequestOneofEachCase() throws InvalidProtocolBufferException {
        var create = io.etcd.jetcd.api.WatchRequest.newBuilder()
                .setCreateRequest(io.etcd.jetcd.api.WatchCreateRequest.newBuilder()
                        .setKey(BINARY_KEY).setRangeEnd(ByteString.copyFrom(new byte[] {0})).setStartRevision(12)
                        .setProgressNotify(true).setPrevKv(true)
                        .addFilters(io.etcd.jetcd.api.WatchCreateRequest.FilterType.NODELETE)
                        .addFilters(io.etcd.jetcd.api.WatchCreateRequest.FilterType.NOPUT))
                .build();
        var cancel = io.etcd.jetcd.api.WatchRequest.newBuilder()
                .setCancelRequest(io.etcd.jetcd.api.WatchCancelRequest.newBuilder().setWatchId(5))
                .build();
        var progress = io.etcd.jetcd.api.WatchRequest.newBuilder()
                .setProgressRequest(io.etcd.jetcd.api.WatchProgressRequest.getDefaultInstance())
                .build();

        WatchRequest ourCreate = roundTrip(create, WatchRequest.parser(), io.etcd.jetcd.api.WatchRequest.parser());
        WatchRequest ourCancel = roundTrip(cancel, WatchRequest.parser(), io.etcd.jetcd.api.WatchRequest.parser());
        WatchRequest ourProgress = roundTrip(progress, WatchRequest.parser(), io.etcd.jetcd.api.WatchRequest.parser());

        assertEquals(WatchRequest.RequestUnionCase.CREATE_REQUEST, ourCreate.getRequestUnionCase());
        assertEquals(List.of(WatchCreateRequest.FilterType.NODELETE, WatchCreateRequest.FilterType.NOPUT),
                ourCreate.getCreateRequest().getFiltersList());
        assertEquals(12, ourCreate.getCreateRequest().getStartRevision());
        assertEquals(WatchRequest.RequestUnionCase.CANCEL_REQUEST, ourCancel.getRequestUnionCase());
        assertEquals(5, ourCancel.getCancelRequest().getWatchId());
        // An empty message in a oneof is still encoded (tag + length 0), so the case survives.
        assertEquals(WatchRequest.RequestUnionCase.PROGRESS_REQUEST, ourProgress.getRequestUnionCase());
    }

    @Test
    void rangeResponseWithKeyValues() throws InvalidProtocolBufferException {
        var theirs = io.etcd.jetcd.api.RangeResponse.newBuilder()
                .setHeader(io.etcd.jetcd.api.ResponseHeader.newBuilder()
                        .setClusterId(0xcdf8_18194e3a8c32L).setMemberId(-1L).setRevision(1234).setRaftTerm(9))
                .addKvs(io.etcd.jetcd.api.KeyValue.newBuilder()
                        .setKey(BINARY_KEY).setValue(ByteString.copyFrom(new byte[4096]))
                        .setCreateRevision(2).setModRevision(1234).setVersion(17).setLease(77))
                .addKvs(io.etcd.jetcd.api.KeyValue.newBuilder().setKey(utf8("b")).setValue(utf8("ß✓")))
                .setMore(true)
                .setCount(3)
                .build();

        RangeResponse ours = roundTrip(theirs, RangeResponse.parser(), io.etcd.jetcd.api.RangeResponse.parser());

        // uint64 IDs keep all 64 bits, even when they read as negative longs in Java.
        assertEquals(0xcdf8_18194e3a8c32L, ours.getHeader().getClusterId());
        assertEquals(-1L, ours.getHeader().getMemberId());
        assertEquals(1234, ours.getHeader().getRevision());
        assertEquals(2, ours.getKvsCount());
        KeyValue first = ours.getKvs(0);
        assertEquals(BINARY_KEY, first.getKey());
        assertEquals(4096, first.getValue().size());
        assertEquals(List.of(2L, 1234L, 17L, 77L),
                List.of(first.getCreateRevision(), first.getModRevision(), first.getVersion(), first.getLease()));
        assertEquals("ß✓", ours.getKvs(1).getValue().toStringUtf8());
        assertTrue(ours.getMore());
        assertEquals(3, ours.getCount());
    }

    @Test
    void watchResponseWithEventsAndElectionResponse() throws InvalidProtocolBufferException {
        var kv = io.etcd.jetcd.api.KeyValue.newBuilder().setKey(utf8("k")).setModRevision(8).build();
        var theirs = io.etcd.jetcd.api.WatchResponse.newBuilder()
                .setWatchId(3).setCanceled(true).setCompactRevision(4).setCancelReason("compacted")
                .addEvents(io.etcd.jetcd.api.Event.newBuilder()
                        .setType(io.etcd.jetcd.api.Event.EventType.DELETE).setKv(kv).setPrevKv(kv.toBuilder().setValue(utf8("old"))))
                .addEvents(io.etcd.jetcd.api.Event.newBuilder().setKv(kv))
                .build();
        var campaign = io.etcd.jetcd.api.CampaignResponse.newBuilder()
                .setLeader(io.etcd.jetcd.api.LeaderKey.newBuilder().setName(utf8("e")).setKey(utf8("e/1")).setRev(5).setLease(6))
                .build();

        WatchResponse ours = roundTrip(theirs, WatchResponse.parser(), io.etcd.jetcd.api.WatchResponse.parser());
        CampaignResponse ourCampaign =
                roundTrip(campaign, CampaignResponse.parser(), io.etcd.jetcd.api.CampaignResponse.parser());

        assertEquals(Event.EventType.DELETE, ours.getEvents(0).getType());
        assertEquals("old", ours.getEvents(0).getPrevKv().getValue().toStringUtf8());
        assertEquals(Event.EventType.PUT, ours.getEvents(1).getType());
        assertEquals("compacted", ours.getCancelReason());
        assertEquals(5, ourCampaign.getLeader().getRev());
    }

    /**
     * jetcd bytes -> ours -> bytes -> jetcd: the bytes must be identical both ways, ours must have no
     * unknown field at any depth, and every field set by jetcd must be set in ours under the same name.
     */
    private static <T extends Message> T roundTrip(
            Message theirs, com.google.protobuf.Parser<T> ourParser, com.google.protobuf.Parser<? extends Message> theirParser)
            throws InvalidProtocolBufferException {
        byte[] theirBytes = theirs.toByteArray();
        T ours = ourParser.parseFrom(theirBytes);

        assertEquals(List.of(), unknownFieldPaths(ours, ours.getDescriptorForType().getFullName()),
                "fields of jetcd's " + theirs.getDescriptorForType().getFullName() + " unknown to ours");
        assertEquals(fieldNames(theirs), fieldNames(ours), "set fields, by name, at every depth");
        assertArrayEquals(theirBytes, ours.toByteArray(), "re-encoded by ours");
        assertEquals(theirs, theirParser.parseFrom(ours.toByteArray()), "decoded again by jetcd");
        return ours;
    }

    private static List<String> unknownFieldPaths(Message message, String path) {
        List<String> found = new ArrayList<>();
        message.getUnknownFields().asMap().keySet().forEach(n -> found.add(path + " #" + n));
        forEachSubMessage(message, path, (subPath, sub) -> found.addAll(unknownFieldPaths(sub, subPath)));
        return found;
    }

    /** The dotted names of all set fields, recursively; equal lists mean the same shape under both schemas. */
    private static List<String> fieldNames(Message message) {
        List<String> names = new ArrayList<>();
        collectFieldNames(message, "", names);
        return names;
    }

    private static void collectFieldNames(Message message, String prefix, List<String> names) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            names.add(prefix + field.getKey().getName() + "#" + field.getKey().getNumber());
        }
        forEachSubMessage(message, prefix, (subPath, sub) -> collectFieldNames(sub, subPath + ".", names));
    }

    private static void forEachSubMessage(Message message, String path, java.util.function.BiConsumer<String, Message> action) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            String fieldPath = path + "." + field.getKey().getName();
            if (field.getValue() instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    action.accept(fieldPath + "[" + i + "]", (Message) list.get(i));
                }
            } else {
                action.accept(fieldPath, (Message) field.getValue());
            }
        }
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
