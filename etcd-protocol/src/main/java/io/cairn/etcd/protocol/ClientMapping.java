package io.cairn.etcd.protocol;

import static io.cairn.etcd.protocol.KvMapping.atLeastZero;

import io.cairn.api.Bytes;
import io.cairn.api.cluster.Member;
import io.cairn.api.maintenance.AlarmMember;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.etcd.protocol.etcdserverpb.AlarmRequest;
import io.cairn.etcd.protocol.etcdserverpb.AlarmResponse;
import io.cairn.etcd.protocol.etcdserverpb.CompactionRequest;
import io.cairn.etcd.protocol.etcdserverpb.Compare;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.DowngradeRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashKVResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.ResponseHeader;
import io.cairn.etcd.protocol.etcdserverpb.ResponseOp;
import io.cairn.etcd.protocol.etcdserverpb.StatusResponse;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnResponse;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.cairn.etcd.protocol.mvccpb.KeyValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client's directions of the mapping: api requests to wire messages ({@code toWire}) and wire
 * responses to api records ({@code toApi}), the reverse of what {@link KvMapping} and
 * {@link ServiceMapping} do for a server. Their rules hold here too: {@code api → wire} wraps bytes
 * without a copy, {@code wire → api} copies once; negative numbers a server sends where the api
 * accepts none (revisions, sizes) become 0.
 *
 * <p>Messages that are a header and nothing else, and requests with one or two scalar fields, are
 * built inline by the client; this class holds the ones with structure.
 */
public final class ClientMapping {

    private ClientMapping() {}

    // ---- shared ----

    public static io.cairn.api.ResponseHeader toApi(ResponseHeader header) {
        return new io.cairn.api.ResponseHeader(header.getClusterId(), header.getMemberId(),
                atLeastZero(header.getRevision()), header.getRaftTerm());
    }

    private static List<io.cairn.api.KeyValue> toApi(List<KeyValue> kvs) {
        List<io.cairn.api.KeyValue> api = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            api.add(KvMapping.toApi(kv));
        }
        return api;
    }

    // ---- KV requests ----

    public static RangeRequest toWire(io.cairn.api.kv.RangeRequest request) {
        return RangeRequest.newBuilder()
                .setKey(KvMapping.toWire(request.key()))
                .setRangeEnd(KvMapping.toWire(request.rangeEnd()))
                .setLimit(request.limit())
                .setRevision(request.revision())
                .setSortOrder(switch (request.sortOrder()) {
                    case NONE -> RangeRequest.SortOrder.NONE;
                    case ASCEND -> RangeRequest.SortOrder.ASCEND;
                    case DESCEND -> RangeRequest.SortOrder.DESCEND;
                })
                .setSortTarget(switch (request.sortTarget()) {
                    case KEY -> RangeRequest.SortTarget.KEY;
                    case VERSION -> RangeRequest.SortTarget.VERSION;
                    case CREATE -> RangeRequest.SortTarget.CREATE;
                    case MOD -> RangeRequest.SortTarget.MOD;
                    case VALUE -> RangeRequest.SortTarget.VALUE;
                })
                .setSerializable(request.serializable())
                .setKeysOnly(request.keysOnly())
                .setCountOnly(request.countOnly())
                .setMinModRevision(request.minModRevision())
                .setMaxModRevision(request.maxModRevision())
                .setMinCreateRevision(request.minCreateRevision())
                .setMaxCreateRevision(request.maxCreateRevision())
                .build();
    }

    public static PutRequest toWire(io.cairn.api.kv.PutRequest request) {
        return PutRequest.newBuilder()
                .setKey(KvMapping.toWire(request.key()))
                .setValue(KvMapping.toWire(request.value()))
                .setLease(request.lease())
                .setPrevKv(request.prevKv())
                .setIgnoreValue(request.ignoreValue())
                .setIgnoreLease(request.ignoreLease())
                .build();
    }

    public static DeleteRangeRequest toWire(io.cairn.api.kv.DeleteRangeRequest request) {
        return DeleteRangeRequest.newBuilder()
                .setKey(KvMapping.toWire(request.key()))
                .setRangeEnd(KvMapping.toWire(request.rangeEnd()))
                .setPrevKv(request.prevKv())
                .build();
    }

    public static CompactionRequest toWire(io.cairn.api.kv.CompactionRequest request) {
        return CompactionRequest.newBuilder().setRevision(request.revision()).setPhysical(request.physical()).build();
    }

    public static TxnRequest toWire(io.cairn.api.kv.TxnRequest request) {
        TxnRequest.Builder wire = TxnRequest.newBuilder();
        request.compare().forEach(compare -> wire.addCompare(toWire(compare)));
        request.success().forEach(op -> wire.addSuccess(toWire(op)));
        request.failure().forEach(op -> wire.addFailure(toWire(op)));
        return wire.build();
    }

    public static RequestOp toWire(io.cairn.api.kv.RequestOp op) {
        return switch (op) {
            case io.cairn.api.kv.RangeRequest range -> RequestOp.newBuilder().setRequestRange(toWire(range)).build();
            case io.cairn.api.kv.PutRequest put -> RequestOp.newBuilder().setRequestPut(toWire(put)).build();
            case io.cairn.api.kv.DeleteRangeRequest delete ->
                    RequestOp.newBuilder().setRequestDeleteRange(toWire(delete)).build();
            case io.cairn.api.kv.TxnRequest txn -> RequestOp.newBuilder().setRequestTxn(toWire(txn)).build();
        };
    }

    /** The operand goes into the union member of the target, where etcd reads it. */
    public static Compare toWire(io.cairn.api.kv.Compare compare) {
        Compare.Builder wire = Compare.newBuilder()
                .setKey(KvMapping.toWire(compare.key()))
                .setRangeEnd(KvMapping.toWire(compare.rangeEnd()))
                .setResult(switch (compare.result()) {
                    case EQUAL -> Compare.CompareResult.EQUAL;
                    case GREATER -> Compare.CompareResult.GREATER;
                    case LESS -> Compare.CompareResult.LESS;
                    case NOT_EQUAL -> Compare.CompareResult.NOT_EQUAL;
                });
        switch (compare.target()) {
            case VERSION -> wire.setTarget(Compare.CompareTarget.VERSION).setVersion(compare.number());
            case CREATE -> wire.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(compare.number());
            case MOD -> wire.setTarget(Compare.CompareTarget.MOD).setModRevision(compare.number());
            case LEASE -> wire.setTarget(Compare.CompareTarget.LEASE).setLease(compare.number());
            case VALUE -> wire.setTarget(Compare.CompareTarget.VALUE).setValue(KvMapping.toWire(compare.value()));
        }
        return wire.build();
    }

    // ---- KV responses ----

    public static io.cairn.api.kv.RangeResponse toApi(RangeResponse response) {
        return new io.cairn.api.kv.RangeResponse(toApi(response.getHeader()), toApi(response.getKvsList()),
                response.getMore(), atLeastZero(response.getCount()));
    }

    public static io.cairn.api.kv.PutResponse toApi(PutResponse response) {
        return new io.cairn.api.kv.PutResponse(toApi(response.getHeader()),
                response.hasPrevKv() ? Optional.of(KvMapping.toApi(response.getPrevKv())) : Optional.empty());
    }

    public static io.cairn.api.kv.DeleteRangeResponse toApi(DeleteRangeResponse response) {
        return new io.cairn.api.kv.DeleteRangeResponse(toApi(response.getHeader()), atLeastZero(response.getDeleted()),
                toApi(response.getPrevKvsList()));
    }

    /**
     * etcd fills the header of a nested response only on the outer one; the inner ones come with an
     * empty header, which maps to a header of zeros.
     */
    public static io.cairn.api.kv.TxnResponse toApi(TxnResponse response) {
        List<io.cairn.api.kv.ResponseOp> ops = new ArrayList<>(response.getResponsesCount());
        for (ResponseOp op : response.getResponsesList()) {
            ops.add(switch (op.getResponseCase()) {
                case RESPONSE_RANGE -> toApi(op.getResponseRange());
                case RESPONSE_PUT -> toApi(op.getResponsePut());
                case RESPONSE_DELETE_RANGE -> toApi(op.getResponseDeleteRange());
                case RESPONSE_TXN -> toApi(op.getResponseTxn());
                case RESPONSE_NOT_SET -> throw new IllegalArgumentException("a txn response operation has no response set");
            });
        }
        return new io.cairn.api.kv.TxnResponse(toApi(response.getHeader()), response.getSucceeded(), ops);
    }

    // ---- Watch ----

    public static WatchCreateRequest toWire(io.cairn.api.watch.WatchCreateRequest request) {
        WatchCreateRequest.Builder wire = WatchCreateRequest.newBuilder()
                .setKey(KvMapping.toWire(request.key()))
                .setRangeEnd(KvMapping.toWire(request.rangeEnd()))
                .setStartRevision(request.startRevision())
                .setProgressNotify(request.progressNotify())
                .setPrevKv(request.prevKv())
                .setWatchId(request.watchId())
                .setFragment(request.fragment());
        for (io.cairn.api.watch.WatchCreateRequest.Filter filter : request.filters()) {
            wire.addFilters(switch (filter) {
                case NOPUT -> WatchCreateRequest.FilterType.NOPUT;
                case NODELETE -> WatchCreateRequest.FilterType.NODELETE;
            });
        }
        return wire.build();
    }

    public static io.cairn.api.watch.WatchResponse toApi(WatchResponse response) {
        List<io.cairn.api.watch.Event> events = new ArrayList<>(response.getEventsCount());
        for (Event event : response.getEventsList()) {
            events.add(toApi(event));
        }
        return new io.cairn.api.watch.WatchResponse(toApi(response.getHeader()), response.getWatchId(),
                response.getCreated(), response.getCanceled(), atLeastZero(response.getCompactRevision()),
                response.getCancelReason(), response.getFragment(), events);
    }

    public static io.cairn.api.watch.Event toApi(Event event) {
        return new io.cairn.api.watch.Event(
                switch (event.getType()) {
                    case PUT -> io.cairn.api.watch.Event.Type.PUT;
                    case DELETE -> io.cairn.api.watch.Event.Type.DELETE;
                    case UNRECOGNIZED -> throw new IllegalArgumentException("unknown event type " + event.getTypeValue());
                },
                KvMapping.toApi(event.getKv()),
                event.hasPrevKv() ? Optional.of(KvMapping.toApi(event.getPrevKv())) : Optional.empty());
    }

    // ---- Lease ----

    public static io.cairn.api.lease.LeaseGrantResponse toApi(LeaseGrantResponse response) {
        return new io.cairn.api.lease.LeaseGrantResponse(toApi(response.getHeader()), response.getID(), response.getTTL(),
                response.getError());
    }

    public static io.cairn.api.lease.LeaseKeepAliveResponse toApi(LeaseKeepAliveResponse response) {
        return new io.cairn.api.lease.LeaseKeepAliveResponse(toApi(response.getHeader()), response.getID(), response.getTTL());
    }

    public static io.cairn.api.lease.LeaseTimeToLiveResponse toApi(LeaseTimeToLiveResponse response) {
        List<Bytes> keys = new ArrayList<>(response.getKeysCount());
        response.getKeysList().forEach(key -> keys.add(KvMapping.toApi(key)));
        return new io.cairn.api.lease.LeaseTimeToLiveResponse(toApi(response.getHeader()), response.getID(),
                response.getTTL(), response.getGrantedTTL(), keys);
    }

    public static io.cairn.api.lease.LeaseLeasesResponse toApi(LeaseLeasesResponse response) {
        List<io.cairn.api.lease.LeaseStatus> leases = new ArrayList<>(response.getLeasesCount());
        response.getLeasesList().forEach(lease -> leases.add(new io.cairn.api.lease.LeaseStatus(lease.getID())));
        return new io.cairn.api.lease.LeaseLeasesResponse(toApi(response.getHeader()), leases);
    }

    // ---- Cluster ----

    public static Member toApi(io.cairn.etcd.protocol.etcdserverpb.Member member) {
        return new Member(member.getID(), member.getName(), member.getPeerURLsList(), member.getClientURLsList(),
                member.getIsLearner());
    }

    public static List<Member> toApiMembers(List<io.cairn.etcd.protocol.etcdserverpb.Member> members) {
        List<Member> api = new ArrayList<>(members.size());
        members.forEach(member -> api.add(toApi(member)));
        return api;
    }

    // ---- Maintenance ----

    public static AlarmRequest toWire(io.cairn.api.maintenance.AlarmRequest request) {
        return AlarmRequest.newBuilder()
                .setAction(switch (request.action()) {
                    case GET -> AlarmRequest.AlarmAction.GET;
                    case ACTIVATE -> AlarmRequest.AlarmAction.ACTIVATE;
                    case DEACTIVATE -> AlarmRequest.AlarmAction.DEACTIVATE;
                })
                .setMemberID(request.memberId())
                .setAlarm(toWire(request.alarm()))
                .build();
    }

    private static io.cairn.etcd.protocol.etcdserverpb.AlarmType toWire(AlarmType alarm) {
        return switch (alarm) {
            case NONE -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.NONE;
            case NOSPACE -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.NOSPACE;
            case CORRUPT -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.CORRUPT;
        };
    }

    public static io.cairn.api.maintenance.AlarmResponse toApi(AlarmResponse response) {
        List<AlarmMember> alarms = new ArrayList<>(response.getAlarmsCount());
        for (io.cairn.etcd.protocol.etcdserverpb.AlarmMember alarm : response.getAlarmsList()) {
            alarms.add(new AlarmMember(alarm.getMemberID(), switch (alarm.getAlarm()) {
                case NONE -> AlarmType.NONE;
                case NOSPACE -> AlarmType.NOSPACE;
                case CORRUPT -> AlarmType.CORRUPT;
                case UNRECOGNIZED -> throw new IllegalArgumentException("unknown alarm type " + alarm.getAlarmValue());
            }));
        }
        return new io.cairn.api.maintenance.AlarmResponse(toApi(response.getHeader()), alarms);
    }

    public static io.cairn.api.maintenance.StatusResponse toApi(StatusResponse response) {
        return new io.cairn.api.maintenance.StatusResponse(
                toApi(response.getHeader()),
                response.getVersion(),
                atLeastZero(response.getDbSize()),
                response.getLeader(),
                response.getRaftIndex(),
                response.getRaftTerm(),
                response.getRaftAppliedIndex(),
                response.getErrorsList(),
                atLeastZero(response.getDbSizeInUse()),
                response.getIsLearner(),
                response.getStorageVersion(),
                atLeastZero(response.getDbSizeQuota()),
                new io.cairn.api.maintenance.DowngradeInfo(response.getDowngradeInfo().getEnabled(),
                        response.getDowngradeInfo().getTargetVersion()));
    }

    /** The wire's uint32 hash, read as an unsigned number (how the api keeps it). */
    public static io.cairn.api.maintenance.HashKVResponse toApi(HashKVResponse response) {
        return new io.cairn.api.maintenance.HashKVResponse(toApi(response.getHeader()),
                Integer.toUnsignedLong(response.getHash()), atLeastZero(response.getCompactRevision()),
                atLeastZero(response.getHashRevision()));
    }

    public static DowngradeRequest toWire(io.cairn.api.maintenance.DowngradeRequest request) {
        return DowngradeRequest.newBuilder()
                .setAction(switch (request.action()) {
                    case VALIDATE -> DowngradeRequest.DowngradeAction.VALIDATE;
                    case ENABLE -> DowngradeRequest.DowngradeAction.ENABLE;
                    case CANCEL -> DowngradeRequest.DowngradeAction.CANCEL;
                })
                .setVersion(request.version())
                .build();
    }
}
