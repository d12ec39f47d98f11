package io.cairn.etcd.protocol;

import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;
import io.cairn.api.auth.Permission;
import io.cairn.api.cluster.Member;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.etcd.protocol.etcdserverpb.AlarmMember;
import io.cairn.etcd.protocol.etcdserverpb.AlarmRequest;
import io.cairn.etcd.protocol.etcdserverpb.AlarmResponse;
import io.cairn.etcd.protocol.etcdserverpb.DowngradeInfo;
import io.cairn.etcd.protocol.etcdserverpb.DowngradeRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashKVResponse;
import io.cairn.etcd.protocol.etcdserverpb.HashResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseStatus;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberListResponse;
import io.cairn.etcd.protocol.etcdserverpb.SnapshotResponse;
import io.cairn.etcd.protocol.etcdserverpb.StatusResponse;
import io.cairn.etcd.protocol.v3electionpb.CampaignResponse;
import io.cairn.etcd.protocol.v3electionpb.LeaderKey;
import io.cairn.etcd.protocol.v3electionpb.LeaderResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps the messages of the Lease, Cluster, Maintenance, Auth, Lock and Election services; the rules
 * of {@link KvMapping} (bytes, negative numbers) hold here too. Messages with a header only are
 * built inline by the services.
 */
public final class ServiceMapping {

    private ServiceMapping() {}

    // ---- Lease ----

    /**
     * A negative TTL becomes 0, which the server raises to its minimum TTL as etcd does. A negative
     * requested id is refused: etcd would grant it, but the api's ids are not negative, and changing
     * it silently would hand the client a lease it did not ask for.
     */
    public static io.cairn.api.lease.LeaseGrantRequest toApi(LeaseGrantRequest request) {
        if (request.getID() < 0) {
            throw new CairnException(StatusCode.INVALID_ARGUMENT,
                    "cairn: lease ID must not be negative, got " + request.getID());
        }
        return new io.cairn.api.lease.LeaseGrantRequest(KvMapping.atLeastZero(request.getTTL()), request.getID());
    }

    public static LeaseGrantResponse toWire(io.cairn.api.lease.LeaseGrantResponse response) {
        return LeaseGrantResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setID(response.id()).setTTL(response.ttl()).setError(response.error()).build();
    }

    public static LeaseKeepAliveResponse toWire(io.cairn.api.lease.LeaseKeepAliveResponse response) {
        return LeaseKeepAliveResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setID(response.id()).setTTL(response.ttl()).build();
    }

    public static LeaseTimeToLiveResponse toWire(io.cairn.api.lease.LeaseTimeToLiveResponse response) {
        LeaseTimeToLiveResponse.Builder wire = LeaseTimeToLiveResponse.newBuilder()
                .setHeader(KvMapping.toWire(response.header()))
                .setID(response.id()).setTTL(response.ttl()).setGrantedTTL(response.grantedTtl());
        response.keys().forEach(key -> wire.addKeys(KvMapping.toWire(key)));
        return wire.build();
    }

    public static LeaseLeasesResponse toWire(io.cairn.api.lease.LeaseLeasesResponse response) {
        LeaseLeasesResponse.Builder wire = LeaseLeasesResponse.newBuilder().setHeader(KvMapping.toWire(response.header()));
        response.leases().forEach(lease -> wire.addLeases(LeaseStatus.newBuilder().setID(lease.id())));
        return wire.build();
    }

    // ---- Cluster ----

    public static io.cairn.etcd.protocol.etcdserverpb.Member toWire(Member member) {
        return io.cairn.etcd.protocol.etcdserverpb.Member.newBuilder()
                .setID(member.id()).setName(member.name())
                .addAllPeerURLs(member.peerUrls()).addAllClientURLs(member.clientUrls())
                .setIsLearner(member.learner())
                .build();
    }

    public static List<io.cairn.etcd.protocol.etcdserverpb.Member> toWire(List<Member> members) {
        List<io.cairn.etcd.protocol.etcdserverpb.Member> wire = new ArrayList<>(members.size());
        members.forEach(member -> wire.add(toWire(member)));
        return wire;
    }

    public static MemberListResponse toWire(io.cairn.api.cluster.MemberListResponse response) {
        return MemberListResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .addAllMembers(toWire(response.members())).build();
    }

    // ---- Maintenance ----

    public static io.cairn.api.maintenance.AlarmRequest toApi(AlarmRequest request) {
        return new io.cairn.api.maintenance.AlarmRequest(
                switch (request.getAction()) {
                    case GET -> io.cairn.api.maintenance.AlarmRequest.Action.GET;
                    case ACTIVATE -> io.cairn.api.maintenance.AlarmRequest.Action.ACTIVATE;
                    case DEACTIVATE -> io.cairn.api.maintenance.AlarmRequest.Action.DEACTIVATE;
                    case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                            "cairn: unknown alarm action " + request.getActionValue());
                },
                request.getMemberID(),
                toApi(request.getAlarm(), request.getAlarmValue()));
    }

    private static AlarmType toApi(io.cairn.etcd.protocol.etcdserverpb.AlarmType alarm, int wireValue) {
        return switch (alarm) {
            case NONE -> AlarmType.NONE;
            case NOSPACE -> AlarmType.NOSPACE;
            case CORRUPT -> AlarmType.CORRUPT;
            case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                    "cairn: unknown alarm type " + wireValue);
        };
    }

    private static io.cairn.etcd.protocol.etcdserverpb.AlarmType toWire(AlarmType alarm) {
        return switch (alarm) {
            case NONE -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.NONE;
            case NOSPACE -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.NOSPACE;
            case CORRUPT -> io.cairn.etcd.protocol.etcdserverpb.AlarmType.CORRUPT;
        };
    }

    public static AlarmResponse toWire(io.cairn.api.maintenance.AlarmResponse response) {
        AlarmResponse.Builder wire = AlarmResponse.newBuilder().setHeader(KvMapping.toWire(response.header()));
        response.alarms().forEach(alarm -> wire.addAlarms(
                AlarmMember.newBuilder().setMemberID(alarm.memberId()).setAlarm(toWire(alarm.alarm()))));
        return wire.build();
    }

    public static StatusResponse toWire(io.cairn.api.maintenance.StatusResponse response) {
        return StatusResponse.newBuilder()
                .setHeader(KvMapping.toWire(response.header()))
                .setVersion(response.version())
                .setDbSize(response.dbSize())
                .setLeader(response.leader())
                .setRaftIndex(response.raftIndex())
                .setRaftTerm(response.raftTerm())
                .setRaftAppliedIndex(response.raftAppliedIndex())
                .addAllErrors(response.errors())
                .setDbSizeInUse(response.dbSizeInUse())
                .setIsLearner(response.learner())
                .setStorageVersion(response.storageVersion())
                .setDbSizeQuota(response.dbSizeQuota())
                .setDowngradeInfo(DowngradeInfo.newBuilder()
                        .setEnabled(response.downgradeInfo().enabled())
                        .setTargetVersion(response.downgradeInfo().targetVersion()))
                .build();
    }

    /** The api keeps hashes as unsigned 32-bit numbers in a long; the wire's uint32 is an int bit for bit. */
    public static HashResponse toWire(io.cairn.api.maintenance.HashResponse response) {
        return HashResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setHash((int) response.hash()).build();
    }

    public static HashKVResponse toWire(io.cairn.api.maintenance.HashKVResponse response) {
        return HashKVResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setHash((int) response.hash())
                .setCompactRevision(response.compactRevision())
                .setHashRevision(response.hashRevision())
                .build();
    }

    public static SnapshotResponse toWire(io.cairn.api.maintenance.SnapshotResponse response) {
        return SnapshotResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setRemainingBytes(response.remainingBytes())
                .setBlob(KvMapping.toWire(response.blob()))
                .setVersion(response.version())
                .build();
    }

    public static io.cairn.api.maintenance.DowngradeRequest toApi(DowngradeRequest request) {
        return new io.cairn.api.maintenance.DowngradeRequest(
                switch (request.getAction()) {
                    case VALIDATE -> io.cairn.api.maintenance.DowngradeRequest.Action.VALIDATE;
                    case ENABLE -> io.cairn.api.maintenance.DowngradeRequest.Action.ENABLE;
                    case CANCEL -> io.cairn.api.maintenance.DowngradeRequest.Action.CANCEL;
                    case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                            "cairn: unknown downgrade action " + request.getActionValue());
                },
                request.getVersion());
    }

    // ---- Auth ----

    public static Permission toApi(io.cairn.etcd.protocol.authpb.Permission permission) {
        return new Permission(
                switch (permission.getPermType()) {
                    case READ -> Permission.Type.READ;
                    case WRITE -> Permission.Type.WRITE;
                    case READWRITE -> Permission.Type.READWRITE;
                    case UNRECOGNIZED -> throw new CairnException(StatusCode.INVALID_ARGUMENT,
                            "cairn: unknown permission type " + permission.getPermTypeValue());
                },
                KvMapping.toApi(permission.getKey()), KvMapping.toApi(permission.getRangeEnd()));
    }

    public static io.cairn.etcd.protocol.authpb.Permission toWire(Permission permission) {
        return io.cairn.etcd.protocol.authpb.Permission.newBuilder()
                .setPermType(switch (permission.permType()) {
                    case READ -> io.cairn.etcd.protocol.authpb.Permission.Type.READ;
                    case WRITE -> io.cairn.etcd.protocol.authpb.Permission.Type.WRITE;
                    case READWRITE -> io.cairn.etcd.protocol.authpb.Permission.Type.READWRITE;
                })
                .setKey(KvMapping.toWire(permission.key()))
                .setRangeEnd(KvMapping.toWire(permission.rangeEnd()))
                .build();
    }

    // ---- Election ----

    public static io.cairn.api.election.LeaderKey toApi(LeaderKey leader) {
        return new io.cairn.api.election.LeaderKey(KvMapping.toApi(leader.getName()), KvMapping.toApi(leader.getKey()), leader.getRev(),
                leader.getLease());
    }

    public static LeaderKey toWire(io.cairn.api.election.LeaderKey leader) {
        return LeaderKey.newBuilder().setName(KvMapping.toWire(leader.name())).setKey(KvMapping.toWire(leader.key()))
                .setRev(leader.rev()).setLease(leader.lease()).build();
    }

    public static CampaignResponse toWire(io.cairn.api.election.CampaignResponse response) {
        return CampaignResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setLeader(toWire(response.leader())).build();
    }

    public static LeaderResponse toWire(io.cairn.api.election.LeaderResponse response) {
        return LeaderResponse.newBuilder().setHeader(KvMapping.toWire(response.header()))
                .setKv(KvMapping.toWire(response.kv())).build();
    }
}
