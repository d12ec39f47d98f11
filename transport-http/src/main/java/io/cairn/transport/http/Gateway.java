package io.cairn.transport.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import com.google.protobuf.util.JsonFormat;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.StatusCode;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.ServiceMapping;
import io.cairn.etcd.protocol.etcdserverpb.AlarmRequest;
import io.cairn.etcd.protocol.etcdserverpb.CompactionRequest;
import io.cairn.etcd.protocol.etcdserverpb.DefragmentResponse;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.HashKVRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberListRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.StatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.v3electionpb.CampaignRequest;
import io.cairn.etcd.protocol.v3electionpb.LeaderRequest;
import io.cairn.etcd.protocol.v3electionpb.ProclaimRequest;
import io.cairn.etcd.protocol.v3electionpb.ProclaimResponse;
import io.cairn.etcd.protocol.v3electionpb.ResignRequest;
import io.cairn.etcd.protocol.v3electionpb.ResignResponse;
import io.cairn.etcd.protocol.v3lockpb.LockRequest;
import io.cairn.etcd.protocol.v3lockpb.LockResponse;
import io.cairn.etcd.protocol.v3lockpb.UnlockRequest;
import io.cairn.etcd.protocol.v3lockpb.UnlockResponse;
import io.undertow.server.HttpServerExchange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * etcd's v3 JSON gateway: the {@code POST /v3/...} routes etcd's grpc-gateway serves, with the
 * proto3 JSON mapping etcd configures (original field names such as {@code cluster_id}, 64-bit
 * integers as strings, bytes in base64, enums by name, fields at their default value left out) and
 * grpc-gateway's error body {@code {"error":..., "code":..., "message":...}} with the HTTP status
 * grpc-gateway gives each gRPC code. Unknown JSON fields are ignored, as grpc-gateway does.
 *
 * <p>Streaming routes: {@code /v3/watch} answers with one {@code {"result":...}} line per watch
 * response for as long as the stream lives; {@code /v3/lease/keepalive} answers each request of
 * the body with one such line and ends, as the gateway does once the client's body is read;
 * {@code /v3/election/observe} answers with one line per proclamation or change of leader;
 * {@code /v3/maintenance/snapshot} streams the snapshot's chunks as such lines ({@link GatewaySnapshot}).
 * Watch, observe and snapshot streams each hold a stream thread while open; past the endpoint's bound
 * ({@link StreamAdmission}) a new one is refused at once with RESOURCE_EXHAUSTED "etcdserver: too many
 * requests" (429), as etcd refuses overload.
 *
 * <p>Lock and election ({@code /v3/lock/lock}, {@code /v3/lock/unlock}, {@code /v3/election/campaign},
 * {@code proclaim}, {@code leader}, {@code observe}, {@code resign}) are etcd's v3lock and v3election
 * gateway routes. {@code lock} and {@code campaign} answer once the caller holds the lock or leads, which
 * may take indefinitely long; a client that closes its connection before then withdraws its waiter, as
 * etcd's gateway cancels the call's context.
 */
final class Gateway {

    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

    static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A unary route: the decoded request in, the future wire answer out. */
    private interface Call {
        CompletableFuture<? extends Message> run(Cairn cairn, byte[] body);
    }

    /**
     * A unary route that may wait indefinitely (lock, campaign): {@code disconnected} is told of the api's
     * own future, which is cancelled (withdrawing the waiter) if the client goes away first.
     */
    private interface WaitingCall {
        CompletableFuture<? extends Message> run(Cairn cairn, byte[] body, Consumer<CompletableFuture<?>> disconnected);
    }

    private final io.cairn.spi.transport.ClientIdentities identities;
    private final int maxRequestBytes;
    private final StreamAdmission streamAdmission;
    private final HttpMetrics metrics;
    private final Map<String, Call> unary = new LinkedHashMap<>();
    private final Map<String, WaitingCall> waiting = new LinkedHashMap<>();
    private final Set<GatewayWatch> watches = ConcurrentHashMap.newKeySet();
    private final Set<GatewayStream<?>> streams = ConcurrentHashMap.newKeySet();

    /** Routes etcd serves without reading the caller's token. */
    private static final Set<String> UNCHECKED = Set.of("/v3/auth/authenticate", "/v3/auth/status",
            "/v3/maintenance/status", "/v3/cluster/member/list");
    private static final Set<String> STREAMING = Set.of("/v3/watch", "/v3/lease/keepalive", "/v3/election/observe",
            "/v3/maintenance/snapshot");
    private static final Set<String> ROUTES = Set.of(
            "/v3/kv/range", "/v3/kv/put", "/v3/kv/deleterange", "/v3/kv/txn", "/v3/kv/compaction",
            "/v3/watch",
            "/v3/lease/grant", "/v3/lease/revoke", "/v3/lease/keepalive", "/v3/lease/timetolive",
            "/v3/lease/leases", "/v3/kv/lease/revoke", "/v3/kv/lease/timetolive", "/v3/kv/lease/leases",
            "/v3/cluster/member/list", "/v3/cluster/member/add", "/v3/cluster/member/remove",
            "/v3/cluster/member/update", "/v3/cluster/member/promote",
            "/v3/maintenance/status", "/v3/maintenance/alarm", "/v3/maintenance/defragment",
            "/v3/maintenance/hash", "/v3/maintenance/snapshot", "/v3/maintenance/transfer",
            "/v3/lock/lock", "/v3/lock/unlock",
            "/v3/election/campaign", "/v3/election/proclaim", "/v3/election/leader", "/v3/election/observe",
            "/v3/election/resign",
            "/v3/auth/enable", "/v3/auth/disable", "/v3/auth/status", "/v3/auth/authenticate",
            "/v3/auth/user/add", "/v3/auth/user/get", "/v3/auth/user/list", "/v3/auth/user/delete",
            "/v3/auth/user/changepw", "/v3/auth/user/grant", "/v3/auth/user/revoke",
            "/v3/auth/role/add", "/v3/auth/role/get", "/v3/auth/role/list", "/v3/auth/role/delete",
            "/v3/auth/role/grant", "/v3/auth/role/revoke");

    Gateway(io.cairn.spi.transport.ClientIdentities identities, int maxRequestBytes, StreamAdmission streamAdmission,
            HttpMetrics metrics) {
        this.identities = identities;
        this.metrics = metrics;
        this.maxRequestBytes = maxRequestBytes;
        this.streamAdmission = streamAdmission;
        unary.put("/v3/kv/range", (cairn, body) -> cairn.kv().range(KvMapping.toApi(parse(body, RangeRequest.getDefaultInstance())))
                .thenApply(KvMapping::toWire));
        unary.put("/v3/kv/put", (cairn, body) -> cairn.kv().put(KvMapping.toApi(checked(parse(body, PutRequest.getDefaultInstance()))))
                .thenApply(KvMapping::toWire));
        unary.put("/v3/kv/deleterange", (cairn, body) -> cairn.kv()
                .deleteRange(KvMapping.toApi(checked(parse(body, DeleteRangeRequest.getDefaultInstance()))))
                .thenApply(KvMapping::toWire));
        unary.put("/v3/kv/txn", (cairn, body) -> cairn.kv().txn(KvMapping.toApi(checked(parse(body, TxnRequest.getDefaultInstance()))))
                .thenApply(KvMapping::toWire));
        unary.put("/v3/kv/compaction", (cairn, body) -> cairn.kv()
                .compact(KvMapping.toApi(parse(body, CompactionRequest.getDefaultInstance())))
                .thenApply(KvMapping::toWire));

        unary.put("/v3/lease/grant", (cairn, body) -> cairn.lease()
                .grant(ServiceMapping.toApi(parse(body, LeaseGrantRequest.getDefaultInstance())))
                .thenApply(ServiceMapping::toWire));
        Call revoke = (cairn, body) -> cairn.lease()
                .revoke(new io.cairn.api.lease.LeaseRevokeRequest(parse(body, LeaseRevokeRequest.getDefaultInstance()).getID()))
                .thenApply(answer -> LeaseRevokeResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
        Call timeToLive = (cairn, body) -> {
            LeaseTimeToLiveRequest request = parse(body, LeaseTimeToLiveRequest.getDefaultInstance());
            return cairn.lease().timeToLive(new io.cairn.api.lease.LeaseTimeToLiveRequest(request.getID(), request.getKeys()))
                    .thenApply(ServiceMapping::toWire);
        };
        Call leases = (cairn, body) -> {
            parse(body, LeaseLeasesRequest.getDefaultInstance());
            return cairn.lease().leases().thenApply(ServiceMapping::toWire);
        };
        for (String prefix : List.of("/v3/lease/", "/v3/kv/lease/")) {
            unary.put(prefix + "revoke", revoke);
            unary.put(prefix + "timetolive", timeToLive);
            unary.put(prefix + "leases", leases);
        }

        unary.put("/v3/cluster/member/list", (cairn, body) -> cairn.cluster()
                .memberList(new io.cairn.api.cluster.MemberListRequest(
                        parse(body, MemberListRequest.getDefaultInstance()).getLinearizable()))
                .thenApply(ServiceMapping::toWire));
        unary.put("/v3/cluster/member/add", (cairn, body) -> {
            MemberAddRequest request = parse(body, MemberAddRequest.getDefaultInstance());
            return cairn.cluster().memberAdd(new io.cairn.api.cluster.MemberAddRequest(request.getPeerURLsList(),
                            request.getIsLearner()))
                    .thenApply(answer -> MemberAddResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                            .setMember(ServiceMapping.toWire(answer.member()))
                            .addAllMembers(ServiceMapping.toWire(answer.members())).build());
        });
        unary.put("/v3/cluster/member/remove", (cairn, body) -> cairn.cluster()
                .memberRemove(new io.cairn.api.cluster.MemberRemoveRequest(
                        parse(body, MemberRemoveRequest.getDefaultInstance()).getID()))
                .thenApply(answer -> MemberRemoveResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build()));
        unary.put("/v3/cluster/member/update", (cairn, body) -> {
            MemberUpdateRequest request = parse(body, MemberUpdateRequest.getDefaultInstance());
            return cairn.cluster().memberUpdate(new io.cairn.api.cluster.MemberUpdateRequest(request.getID(),
                            request.getPeerURLsList()))
                    .thenApply(answer -> MemberUpdateResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                            .addAllMembers(ServiceMapping.toWire(answer.members())).build());
        });
        unary.put("/v3/cluster/member/promote", (cairn, body) -> cairn.cluster()
                .memberPromote(new io.cairn.api.cluster.MemberPromoteRequest(
                        parse(body, MemberPromoteRequest.getDefaultInstance()).getID()))
                .thenApply(answer -> MemberPromoteResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                        .addAllMembers(ServiceMapping.toWire(answer.members())).build()));

        unary.put("/v3/maintenance/status", (cairn, body) -> {
            parse(body, StatusRequest.getDefaultInstance());
            return cairn.maintenance().status().thenApply(ServiceMapping::toWire);
        });
        unary.put("/v3/maintenance/alarm", (cairn, body) -> cairn.maintenance()
                .alarm(ServiceMapping.toApi(parse(body, AlarmRequest.getDefaultInstance())))
                .thenApply(ServiceMapping::toWire));
        unary.put("/v3/maintenance/defragment", (cairn, body) -> cairn.maintenance().defragment()
                .thenApply(answer -> DefragmentResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build()));
        unary.put("/v3/maintenance/hash", (cairn, body) -> {
            HashKVRequest request = parse(body, HashKVRequest.getDefaultInstance());
            // etcd binds both Hash and HashKV to this path; HashKV, registered last, is the one its gateway serves
            return cairn.maintenance().hashKV(new io.cairn.api.maintenance.HashKVRequest(
                    KvMapping.atLeastZero(request.getRevision()))).thenApply(ServiceMapping::toWire);
        });
        unary.put("/v3/maintenance/transfer", (cairn, body) -> cairn.maintenance()
                .moveLeader(new io.cairn.api.maintenance.MoveLeaderRequest(
                        parse(body, io.cairn.etcd.protocol.etcdserverpb.MoveLeaderRequest.getDefaultInstance()).getTargetID()))
                .thenApply(answer -> io.cairn.etcd.protocol.etcdserverpb.MoveLeaderResponse.newBuilder()
                        .setHeader(KvMapping.toWire(answer.header())).build()));
        addLockAndElection();
        authRoutes();
    }

    /** etcd's v3lock and v3election routes but observe (a stream). */
    private void addLockAndElection() {
        waiting.put("/v3/lock/lock", (cairn, body, disconnected) -> {
            LockRequest request = parse(body, LockRequest.getDefaultInstance());
            var pending = cairn.lock().lock(new io.cairn.api.lock.LockRequest(KvMapping.toApi(request.getName()), request.getLease()));
            disconnected.accept(pending);
            return pending.thenApply(answer -> LockResponse.newBuilder().setHeader(KvMapping.toWire(answer.header()))
                    .setKey(KvMapping.toWire(answer.key())).build());
        });
        unary.put("/v3/lock/unlock", (cairn, body) -> cairn.lock()
                .unlock(new io.cairn.api.lock.UnlockRequest(KvMapping.toApi(parse(body, UnlockRequest.getDefaultInstance()).getKey())))
                .thenApply(answer -> UnlockResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build()));
        waiting.put("/v3/election/campaign", (cairn, body, disconnected) -> {
            CampaignRequest request = checked(parse(body, CampaignRequest.getDefaultInstance()));
            var pending = cairn.election().campaign(new io.cairn.api.election.CampaignRequest(
                    KvMapping.toApi(request.getName()), request.getLease(), KvMapping.toApi(request.getValue())));
            disconnected.accept(pending);
            return pending.thenApply(ServiceMapping::toWire);
        });
        unary.put("/v3/election/proclaim", (cairn, body) -> {
            ProclaimRequest request = checked(parse(body, ProclaimRequest.getDefaultInstance()));
            if (!request.hasLeader()) {
                throw new CairnException(ErrorCode.ELECTION_MISSING_LEADER_KEY);
            }
            return cairn.election().proclaim(new io.cairn.api.election.ProclaimRequest(
                            ServiceMapping.toApi(request.getLeader()), KvMapping.toApi(request.getValue())))
                    .thenApply(answer -> ProclaimResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
        });
        unary.put("/v3/election/leader", (cairn, body) -> cairn.election()
                .leader(new io.cairn.api.election.LeaderRequest(KvMapping.toApi(parse(body, LeaderRequest.getDefaultInstance()).getName())))
                .thenApply(ServiceMapping::toWire));
        unary.put("/v3/election/resign", (cairn, body) -> {
            ResignRequest request = parse(body, ResignRequest.getDefaultInstance());
            if (!request.hasLeader()) {
                throw new CairnException(ErrorCode.ELECTION_MISSING_LEADER_KEY);
            }
            return cairn.election().resign(new io.cairn.api.election.ResignRequest(ServiceMapping.toApi(request.getLeader())))
                    .thenApply(answer -> ResignResponse.newBuilder().setHeader(KvMapping.toWire(answer.header())).build());
        });
    }

    /** etcd's {@code /v3/auth/...} routes (grpc-gateway's bindings of the Auth service). */
    private void authRoutes() {
        unary.put("/v3/auth/enable", (cairn, body) -> {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthEnableRequest.getDefaultInstance());
            return cairn.auth().authEnable().thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthEnableResponse.newBuilder()
                    .setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/disable", (cairn, body) -> {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthDisableRequest.getDefaultInstance());
            return cairn.auth().authDisable().thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthDisableResponse.newBuilder()
                    .setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/status", (cairn, body) -> {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthStatusRequest.getDefaultInstance());
            return cairn.auth().authStatus().thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthStatusResponse.newBuilder()
                    .setHeader(KvMapping.toWire(a.header())).setEnabled(a.enabled()).setAuthRevision(a.authRevision()).build());
        });
        unary.put("/v3/auth/authenticate", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest.getDefaultInstance());
            return cairn.auth().authenticate(new io.cairn.api.auth.AuthenticateRequest(request.getName(), request.getPassword()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthenticateResponse.newBuilder().setHeader(KvMapping.toWire(a.header()))
                            .setToken(a.token()).build());
        });
        unary.put("/v3/auth/user/add", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserAddRequest.getDefaultInstance());
            return cairn.auth().userAdd(new io.cairn.api.auth.AuthUserAddRequest(request.getName(), request.getPassword(),
                    request.getOptions().getNoPassword(), request.getHashedPassword()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserAddResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/user/get", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserGetRequest.getDefaultInstance());
            return cairn.auth().userGet(new io.cairn.api.auth.AuthUserGetRequest(request.getName()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserGetResponse.newBuilder().setHeader(KvMapping.toWire(a.header()))
                            .addAllRoles(a.roles()).build());
        });
        unary.put("/v3/auth/user/list", (cairn, body) -> {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserListRequest.getDefaultInstance());
            return cairn.auth().userList().thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserListResponse.newBuilder()
                    .setHeader(KvMapping.toWire(a.header())).addAllUsers(a.users()).build());
        });
        unary.put("/v3/auth/user/delete", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserDeleteRequest.getDefaultInstance());
            return cairn.auth().userDelete(new io.cairn.api.auth.AuthUserDeleteRequest(request.getName()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserDeleteResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/user/changepw", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserChangePasswordRequest.getDefaultInstance());
            return cairn.auth().userChangePassword(new io.cairn.api.auth.AuthUserChangePasswordRequest(request.getName(),
                    request.getPassword(), request.getHashedPassword()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserChangePasswordResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/user/grant", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleRequest.getDefaultInstance());
            return cairn.auth().userGrantRole(new io.cairn.api.auth.AuthUserGrantRoleRequest(request.getUser(), request.getRole()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/user/revoke", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthUserRevokeRoleRequest.getDefaultInstance());
            return cairn.auth().userRevokeRole(new io.cairn.api.auth.AuthUserRevokeRoleRequest(request.getName(), request.getRole()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthUserRevokeRoleResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/role/add", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddRequest.getDefaultInstance());
            return cairn.auth().roleAdd(new io.cairn.api.auth.AuthRoleAddRequest(request.getName()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/role/get", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetRequest.getDefaultInstance());
            return cairn.auth().roleGet(new io.cairn.api.auth.AuthRoleGetRequest(request.getRole())).thenApply(a -> {
                var wire = io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetResponse.newBuilder().setHeader(KvMapping.toWire(a.header()));
                a.perm().forEach(permission -> wire.addPerm(ServiceMapping.toWire(permission)));
                return wire.build();
            });
        });
        unary.put("/v3/auth/role/list", (cairn, body) -> {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleListRequest.getDefaultInstance());
            return cairn.auth().roleList().thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthRoleListResponse.newBuilder()
                    .setHeader(KvMapping.toWire(a.header())).addAllRoles(a.roles()).build());
        });
        unary.put("/v3/auth/role/delete", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleDeleteRequest.getDefaultInstance());
            return cairn.auth().roleDelete(new io.cairn.api.auth.AuthRoleDeleteRequest(request.getRole()))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthRoleDeleteResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/role/grant", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionRequest.getDefaultInstance());
            if (!request.hasPerm()) {
                throw new CairnException(ErrorCode.PERMISSION_NOT_GIVEN);
            }
            return cairn.auth().roleGrantPermission(new io.cairn.api.auth.AuthRoleGrantPermissionRequest(request.getName(),
                    ServiceMapping.toApi(request.getPerm())))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
        unary.put("/v3/auth/role/revoke", (cairn, body) -> {
            var request = parse(body, io.cairn.etcd.protocol.etcdserverpb.AuthRoleRevokePermissionRequest.getDefaultInstance());
            return cairn.auth().roleRevokePermission(new io.cairn.api.auth.AuthRoleRevokePermissionRequest(request.getRole(),
                    KvMapping.toApi(request.getKey()), KvMapping.toApi(request.getRangeEnd())))
                    .thenApply(a -> io.cairn.etcd.protocol.etcdserverpb.AuthRoleRevokePermissionResponse.newBuilder().setHeader(KvMapping.toWire(a.header())).build());
        });
    }

    /** The route {@code path} names, or null if the gateway has none. */
    static String route(String path) {
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return ROUTES.contains(trimmed) ? trimmed : null;
    }

    void handle(HttpServerExchange exchange, String route) {
        Responses.readBody(exchange, (ex, body) -> {
            Cairn cairn;
            try {
                cairn = caller(ex);
            } catch (CairnException refused) {
                if (!UNCHECKED.contains(route)) {
                    sendError(ex, refused);
                    return;
                }
                cairn = identities.anonymous(); // etcd never reads the caller here: a stale token must not stop a login
            }
            if (STREAMING.contains(route)) {
                switch (route) {
                    case "/v3/watch" -> startWatch(cairn, ex, body);
                    case "/v3/election/observe" -> startObserve(cairn, ex, body);
                    case "/v3/maintenance/snapshot" -> startSnapshot(cairn, ex, body);
                    default -> keepAlive(cairn, ex, body);
                }
                return;
            }
            CompletableFuture<? extends Message> answer;
            DisconnectWatch[] disconnects = {null};
            try {
                WaitingCall waits = waiting.get(route);
                answer = waits != null
                        ? waits.run(cairn, body, pending -> disconnects[0] = DisconnectWatch.start(ex, pending))
                        : unary.get(route).run(cairn, body);
            } catch (RuntimeException failure) {
                answer = CompletableFuture.failedFuture(failure);
            }
            // a waiting call's answer goes once the connection is Undertow's again
            CompletableFuture<? extends Message> called = answer;
            CompletableFuture<? extends Message> settled = disconnects[0] == null ? called
                    : called.handle((message, failure) -> disconnects[0].stop()).thenCompose(stopped -> stopped).thenCompose(stopped -> called);
            settled.whenComplete((message, failure) -> {
                if (failure != null) {
                    sendError(ex, failure);
                    return;
                }
                String json;
                try {
                    json = print(message);
                } catch (RuntimeException encodeFailure) {
                    sendError(ex, encodeFailure);
                    return;
                }
                Responses.json(ex, 200, json);
            });
        });
    }

    /**
     * The view the request acts as: the token in the {@code Authorization} header (etcd's gateway
     * passes the header on as the {@code authorization} metadata, which etcd reads as the token),
     * else nobody.
     */
    private Cairn caller(HttpServerExchange exchange) {
        String token = exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.AUTHORIZATION);
        return token == null || token.isEmpty() ? identities.anonymous() : identities.forToken(token);
    }

    // ---- decoding and encoding ----

    /**
     * The request in {@code body}, read into {@code builder}. An empty body is the empty message (as
     * the gateway treats EOF). Malformed JSON, a field of the wrong type or bad base64 is etcd's
     * gateway's INVALID_ARGUMENT with the parser's reason.
     */
    @SuppressWarnings("unchecked")
    static <M extends Message> M parse(byte[] body, M type) {
        Message.Builder builder = type.newBuilderForType();
        String text = new String(body, StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            try {
                PARSER.merge(text, builder);
            } catch (InvalidProtocolBufferException | RuntimeException bad) {
                throw invalidJson(bad);
            }
        }
        return (M) builder.build();
    }

    private static CairnException invalidJson(Exception bad) {
        String reason = bad.getMessage() == null ? bad.toString() : bad.getMessage();
        return new CairnException(StatusCode.INVALID_ARGUMENT, "invalid JSON request: " + reason);
    }

    /** The requests of a streaming body: one JSON object after another (whitespace between). */
    static List<String> splitObjects(byte[] body) {
        List<String> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> nodes = JSON.readerFor(JsonNode.class)
                .with(com.fasterxml.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE)
                .readValues(JSON.getFactory().createParser(body))) {
            while (nodes.hasNextValue()) {
                objects.add(nodes.nextValue().toString());
            }
        } catch (JsonProcessingException bad) {
            throw invalidJson(bad);
        } catch (java.io.IOException | RuntimeException bad) {
            throw invalidJson(bad instanceof RuntimeException r && r.getCause() instanceof Exception e ? e : bad);
        }
        return objects;
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName(), impossible);
        }
    }

    private <M extends MessageLite> M checked(M request) {
        if (request.getSerializedSize() > maxRequestBytes) {
            throw new CairnException(ErrorCode.REQUEST_TOO_LARGE);
        }
        return request;
    }

    // ---- errors ----

    /** What a failed call becomes on the wire: etcd's error text with its gRPC code. */
    record WireError(StatusCode code, String message) {
        int httpStatus() {
            return httpStatus(code);
        }

        /** grpc-gateway's mapping of gRPC codes to HTTP statuses. */
        static int httpStatus(StatusCode code) {
            return switch (code) {
                case OK -> 200;
                case CANCELLED -> 408;
                case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
                case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
                case DEADLINE_EXCEEDED -> 504;
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, ABORTED -> 409;
                case PERMISSION_DENIED -> 403;
                case UNAUTHENTICATED -> 401;
                case RESOURCE_EXHAUSTED -> 429;
                case UNIMPLEMENTED -> 501;
                case UNAVAILABLE -> 503;
            };
        }

        /** grpc-gateway's error body: error and message both carry the status message. */
        String json() {
            var body = JSON.createObjectNode();
            body.put("error", message);
            body.put("code", code.value());
            body.put("message", message);
            return body.toString();
        }
    }

    static WireError toWireError(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CairnException cairnFailure) {
            return new WireError(cairnFailure.status(), cairnFailure.getMessage());
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return new WireError(StatusCode.CANCELLED, ErrorCode.CANCELED.message());
        }
        if (cause instanceof IllegalArgumentException invalid) {
            // an api record refused a value the JSON carried (a negative number, an empty list, ...)
            return new WireError(StatusCode.INVALID_ARGUMENT, "invalid request: " + invalid.getMessage());
        }
        LOG.log(System.Logger.Level.WARNING, "unexpected failure serving an etcd gateway call", cause);
        return new WireError(StatusCode.INTERNAL, "cairn: unexpected " + cause);
    }

    static void sendError(HttpServerExchange exchange, Throwable failure) {
        WireError error = toWireError(failure);
        Responses.json(exchange, error.httpStatus(), error.json());
    }

    // ---- streaming ----

    /**
     * {@code /v3/lease/keepalive}: each request in the body renews its lease once, in order; the
     * answer holds one {@code {"result":...}} line per request, as etcd's gateway streams them
     * before ending the call when the client's body is done.
     */
    private void keepAlive(Cairn cairn, HttpServerExchange exchange, byte[] body) {
        List<LeaseKeepAliveRequest> requests = new ArrayList<>();
        try {
            for (String object : splitObjects(body)) {
                requests.add(parse(object.getBytes(StandardCharsets.UTF_8), LeaseKeepAliveRequest.getDefaultInstance()));
            }
            if (requests.isEmpty()) {
                requests.add(LeaseKeepAliveRequest.getDefaultInstance());
            }
        } catch (RuntimeException failure) {
            sendError(exchange, failure);
            return;
        }
        StringBuilder lines = new StringBuilder();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (LeaseKeepAliveRequest request : requests) {
            chain = chain.thenCompose(ignored -> cairn.lease().keepAliveOnce(request.getID()))
                    .thenAccept(answer -> lines.append(result(ServiceMapping.toWire(answer))).append('\n'));
        }
        chain.whenComplete((ignored, failure) -> {
            if (failure != null && lines.isEmpty()) {
                sendError(exchange, failure);
            } else {
                if (failure != null) {
                    lines.append(streamError(toWireError(failure))).append('\n');
                }
                Responses.json(exchange, 200, lines.toString());
            }
        });
    }

    /** {@code {"result": message}}, as grpc-gateway wraps each message of a stream. */
    static String result(Message message) {
        return "{\"result\":" + print(message) + "}";
    }

    /** grpc-gateway's error object for a stream that fails after it started. */
    static String streamError(WireError error) {
        var inner = JSON.createObjectNode();
        inner.put("grpc_code", error.code().value());
        inner.put("http_code", error.httpStatus());
        inner.put("message", error.message());
        inner.put("http_status", httpStatusText(error.httpStatus()));
        var outer = JSON.createObjectNode();
        outer.set("error", inner);
        return outer.toString();
    }

    private static String httpStatusText(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Internal Server Error";
        };
    }

    /** Streams a backend snapshot as result lines; a malformed request body is answered with an error. */
    private void startSnapshot(Cairn cairn, HttpServerExchange ex, byte[] body) {
        try {
            parse(body, io.cairn.etcd.protocol.etcdserverpb.SnapshotRequest.getDefaultInstance());
        } catch (RuntimeException failure) {
            sendError(ex, failure);
            return;
        }
        if (!reserveStream(ex)) {
            return;
        }
        streamAdmission.dispatch(ex, new GatewaySnapshot(cairn, ex));
    }

    private void startWatch(Cairn cairn, HttpServerExchange exchange, byte[] body) {
        List<WatchRequest> requests = new ArrayList<>();
        try {
            for (String object : splitObjects(body)) {
                requests.add(parse(object.getBytes(StandardCharsets.UTF_8), WatchRequest.getDefaultInstance()));
            }
            for (WatchRequest request : requests) {
                if (request.hasCreateRequest()) {
                    KvMapping.toApi(request.getCreateRequest()); // refuse a bad create before the stream starts
                }
            }
        } catch (RuntimeException failure) {
            sendError(exchange, failure);
            return;
        }
        if (!reserveStream(exchange)) {
            return;
        }
        GatewayWatch watch = new GatewayWatch(cairn, exchange, requests, ended -> {
            watches.remove(ended);
            metrics.streamClosed();
        });
        watches.add(watch);
        metrics.streamOpened();
        streamAdmission.dispatch(exchange, watch);
    }

    /** {@code /v3/election/observe}: the election's proclamations, one {@code {"result":...}} line each. */
    private void startObserve(Cairn cairn, HttpServerExchange exchange, byte[] body) {
        Flow.Publisher<io.cairn.api.election.LeaderResponse> proclamations;
        try {
            LeaderRequest request = parse(body, LeaderRequest.getDefaultInstance());
            if (!reserveStream(exchange)) {
                return;
            }
            try {
                proclamations = cairn.election().observe(new io.cairn.api.election.LeaderRequest(KvMapping.toApi(request.getName())));
            } catch (RuntimeException failure) {
                streamAdmission.release();
                throw failure;
            }
        } catch (RuntimeException failure) {
            sendError(exchange, failure);
            return;
        }
        GatewayStream<io.cairn.api.election.LeaderResponse> stream = new GatewayStream<>(exchange, proclamations,
                ServiceMapping::toWire, ended -> {
                    streams.remove(ended);
                    metrics.streamClosed();
                });
        streams.add(stream);
        metrics.streamOpened();
        streamAdmission.dispatch(exchange, stream);
    }

    /**
     * A place for one more stream on this endpoint, or false after answering etcd's overload error
     * (RESOURCE_EXHAUSTED, 429 from the gateway) when as many streams as the endpoint allows are open.
     */
    private boolean reserveStream(HttpServerExchange exchange) {
        if (streamAdmission.tryReserve()) {
            return true;
        }
        sendError(exchange, new CairnException(ErrorCode.TOO_MANY_REQUESTS));
        return false;
    }

    void closeStreams() {
        for (GatewayWatch watch : watches) {
            watch.close();
        }
        for (GatewayStream<?> stream : streams) {
            stream.close();
        }
    }

    static Function<io.cairn.api.watch.WatchResponse, List<io.cairn.etcd.protocol.etcdserverpb.WatchResponse>> watchToWire() {
        return response -> {
            var wire = KvMapping.toWire(response);
            // etcd answers a create at a compacted revision with two messages (created, then canceled)
            if (response.created() && response.canceled() && response.compactRevision() != 0) {
                return List.of(wire.toBuilder().setCanceled(false).setCompactRevision(0).setCancelReason("").build(),
                        wire.toBuilder().setCreated(false).build());
            }
            return List.of(wire);
        };
    }
}
