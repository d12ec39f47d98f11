package io.cairn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.etcd.protocol.authpb.Permission;
import io.cairn.etcd.protocol.etcdserverpb.AuthDisableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthDisableResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthEnableRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthEnableResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGetResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleListRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthRoleListResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthStatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthStatusResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGetRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGetResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserGrantRoleResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserListRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthUserListResponse;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateRequest;
import io.cairn.etcd.protocol.etcdserverpb.AuthenticateResponse;
import io.cairn.etcd.protocol.etcdserverpb.CompactionRequest;
import io.cairn.etcd.protocol.etcdserverpb.CompactionResponse;
import io.cairn.etcd.protocol.etcdserverpb.Compare;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrantResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseLeasesResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseRevokeResponse;
import io.cairn.etcd.protocol.etcdserverpb.LeaseStatus;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.protocol.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.protocol.etcdserverpb.Member;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberAddResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberListRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberListResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberPromoteResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberRemoveResponse;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateRequest;
import io.cairn.etcd.protocol.etcdserverpb.MemberUpdateResponse;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.RangeRequest;
import io.cairn.etcd.protocol.etcdserverpb.RangeResponse;
import io.cairn.etcd.protocol.etcdserverpb.RequestOp;
import io.cairn.etcd.protocol.etcdserverpb.StatusRequest;
import io.cairn.etcd.protocol.etcdserverpb.StatusResponse;
import io.cairn.etcd.protocol.etcdserverpb.TxnRequest;
import io.cairn.etcd.protocol.etcdserverpb.TxnResponse;
import io.cairn.etcd.protocol.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.cairn.etcd.protocol.mvccpb.KeyValue;
import io.cairn.etcd.protocol.v3electionpb.CampaignRequest;
import io.cairn.etcd.protocol.v3electionpb.CampaignResponse;
import io.cairn.etcd.protocol.v3electionpb.LeaderKey;
import io.cairn.etcd.protocol.v3electionpb.LeaderRequest;
import io.cairn.etcd.protocol.v3electionpb.LeaderResponse;
import io.cairn.etcd.protocol.v3electionpb.ProclaimRequest;
import io.cairn.etcd.protocol.v3electionpb.ProclaimResponse;
import io.cairn.etcd.protocol.v3electionpb.ResignRequest;
import io.cairn.etcd.protocol.v3electionpb.ResignResponse;
import io.cairn.etcd.protocol.v3lockpb.LockRequest;
import io.cairn.etcd.protocol.v3lockpb.LockResponse;
import io.cairn.etcd.protocol.v3lockpb.UnlockRequest;
import io.cairn.etcd.protocol.v3lockpb.UnlockResponse;
import io.cairn.server.CairnServer;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport conformance kit: every rule of the "Transport kit" section of
 * {@code conformance-tests/README.md} as a JUnit test, run against the {@link TransportProvider} a
 * subclass returns from {@link #provider()}. A plugin author extends it in a few lines:
 *
 * <pre>{@code
 * class GrpcTransportVerificationTest extends TransportVerification {
 *     protected TransportProvider provider() { return TransportProviders.byId("grpc"); }
 *     protected EtcdWire connect(URI url) { return new GrpcWire(url); }   // the plugin's own wire client
 * }
 * }</pre>
 *
 * <p>The client half (T2–T6, T10–T12) serves a real single-member Cairn (storage {@link #storageId()}) through
 * {@code provider().startClientEndpoint} and talks to it with the subclass's {@link EtcdWire}, so
 * the kit checks etcd's answers once for every wire protocol. The peer half (T7–T9) starts real peer
 * endpoints on 127.0.0.1 and checks what their handlers receive; it is skipped for a provider that
 * carries no peer traffic. Rule texts and "if this fails, check" lists are on
 * {@link TransportVerificationRules}. Every rule closes what it started.
 */
@Timeout(120)
public abstract class TransportVerification implements TransportVerificationRules {

    /** Bytes a transport may have in flight towards a peer beyond its queue (socket buffers, a window, a batch). */
    public static final long IN_FLIGHT_ALLOWANCE_BYTES = 8L << 20;

    static final long CLUSTER = 0xC0FFEE_5EEDL;
    /** Rule T9.1's snapshot data stalls after this much: more than a transport's chunk (1 MiB for both here). */
    static final int STALL_AFTER_BYTES = 3 << 20;
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path workDir;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private EtcdWire wire;

    // ---------------------------------------------------------------- what a subclass supplies

    /** The provider under test, found by id as the server finds it: {@code TransportProviders.byId("grpc")}. */
    protected abstract TransportProvider provider();

    /**
     * A client of this transport's wire protocol talking to the client endpoint at {@code url} (one of
     * its bound URLs). The kit closes it.
     */
    protected abstract EtcdWire connect(URI url) throws Exception;

    /** The storage plugin of the member the client rules serve; default {@code rocksdb}. */
    protected String storageId() {
        return "rocksdb";
    }

    /** The providers rule T1.1 searches; default what the ServiceLoader finds. */
    protected List<TransportProvider> discoveredProviders() {
        return TransportProviders.all();
    }

    /** The client endpoint's configuration for {@code listenUrl}; override to add TLS. */
    protected ClientEndpointConfig clientConfig(URI listenUrl) {
        return ClientEndpointConfig.of(listenUrl);
    }

    @AfterEach
    final void closeEverything() throws Exception {
        Exception first = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        opened.push(closeable);
        return closeable;
    }

    private String subject() {
        return "transport '" + provider().id() + "'";
    }

    // ---------------------------------------------------------------- T1

    @Test
    @Override
    public void required_specT1_1_providerIsFoundByItsId() {
        String id = provider().id();
        assertTrue(id.matches("[a-z0-9-]+"), () -> subject() + ": id must be lower-case letters, digits and '-'");
        long found = discoveredProviders().stream().filter(p -> p.id().equals(id)).count();
        assertEquals(1, found, () -> subject() + " must be found exactly once by the ServiceLoader, found " + found
                + " among " + discoveredProviders().stream().map(TransportProvider::id).toList());
    }

    // ---------------------------------------------------------------- client half

    /**
     * A member served by the transport under test, and a wire client to it; started once per rule. The
     * endpoint serves each call as its credentials name ({@link CairnServer#clientIdentities}), as
     * {@code cairn} serves it, so that rule T10 can enable auth.
     */
    private EtcdWire wire() throws Exception {
        if (wire == null) {
            // a few PBKDF2 rounds: rule T10 hashes passwords, and the kit tests the wire, not the hash
            CairnServer member = track(CairnServer.builder().dataDir(workDir.resolve("member")).storage(storageId())
                    .passwordIterations(1000).start());
            ClientEndpoint endpoint;
            try {
                endpoint = provider().startClientEndpoint(member.clientIdentities(), clientConfig(URI.create("http://127.0.0.1:0")));
            } catch (UnsupportedOperationException clientless) {
                Assumptions.abort(subject() + " serves no client traffic");
                throw clientless;
            }
            track(() -> endpoint.close(Duration.ofSeconds(1)));
            wire = track(connect(endpoint.boundUrls().get(0)));
        }
        return wire;
    }

    private static ByteString bytes(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private PutResponse put(String key, String value) throws Exception {
        return wire().call("etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build(),
                PutResponse.getDefaultInstance());
    }

    private RangeResponse range(RangeRequest request) throws Exception {
        return wire().call("etcdserverpb.KV/Range", request, RangeResponse.getDefaultInstance());
    }

    @Test
    @Override
    public void required_specT2_1_putAndRangeAnswerAsEtcd() throws Exception {
        long first = put("t2/a", "one").getHeader().getRevision();
        PutResponse second = put("t2/a", "two");
        assertEquals(first + 1, second.getHeader().getRevision(), () -> subject() + ": a put must raise the revision by one");
        RangeResponse answer = range(RangeRequest.newBuilder().setKey(bytes("t2/a")).build());
        assertEquals(1, answer.getCount(), () -> subject() + ": Range count of one key, got " + answer);
        assertEquals(1, answer.getKvsCount(), () -> subject() + ": Range kvs of one key, got " + answer);
        KeyValue kv = answer.getKvs(0);
        assertEquals("t2/a", kv.getKey().toStringUtf8(), () -> subject() + ": Range key");
        assertEquals("two", kv.getValue().toStringUtf8(), () -> subject() + ": Range value");
        assertEquals(first, kv.getCreateRevision(), () -> subject() + ": create_revision is the first put's revision");
        assertEquals(first + 1, kv.getModRevision(), () -> subject() + ": mod_revision is the last put's revision");
        assertEquals(2, kv.getVersion(), () -> subject() + ": version counts the puts since creation");
        assertEquals(first + 1, answer.getHeader().getRevision(), () -> subject() + ": Range header revision");
        assertTrue(answer.getHeader().getClusterId() != 0 && answer.getHeader().getMemberId() != 0,
                () -> subject() + ": the header names the cluster and member, got " + answer.getHeader());
        RangeResponse old = range(RangeRequest.newBuilder().setKey(bytes("t2/a")).setRevision(first).build());
        assertEquals("one", old.getKvs(0).getValue().toStringUtf8(), () -> subject() + ": Range at an old revision");
    }

    @Test
    @Override
    public void required_specT2_2_deleteRangeAnswersDeletedAndPrevKvs() throws Exception {
        put("t2/x/1", "a");
        put("t2/x/2", "b");
        put("t2/y", "c");
        DeleteRangeResponse deleted = wire().call("etcdserverpb.KV/DeleteRange", DeleteRangeRequest.newBuilder()
                .setKey(bytes("t2/x/")).setRangeEnd(bytes("t2/x0")).setPrevKv(true).build(), DeleteRangeResponse.getDefaultInstance());
        assertEquals(2, deleted.getDeleted(), () -> subject() + ": DeleteRange deleted count, got " + deleted);
        assertEquals(List.of("a", "b"), deleted.getPrevKvsList().stream().map(kv -> kv.getValue().toStringUtf8()).toList(),
                () -> subject() + ": DeleteRange prev_kvs");
        assertEquals(1, range(RangeRequest.newBuilder().setKey(bytes("t2/")).setRangeEnd(bytes("t20")).build()).getCount(),
                () -> subject() + ": one key left after DeleteRange");
    }

    @Test
    @Override
    public void required_specT2_3_txnTakesTheBranchItsComparesChoose() throws Exception {
        put("t2/cas", "old");
        TxnRequest swap = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(bytes("t2/cas")).setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.EQUAL).setValue(bytes("old")))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("t2/cas")).setValue(bytes("new"))))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bytes("t2/cas"))))
                .build();
        TxnResponse first = wire().call("etcdserverpb.KV/Txn", swap, TxnResponse.getDefaultInstance());
        assertTrue(first.getSucceeded(), () -> subject() + ": Txn whose compare holds must succeed, got " + first);
        assertEquals(1, first.getResponsesCount(), () -> subject() + ": one response per op of the branch");
        assertTrue(first.getResponses(0).hasResponsePut(), () -> subject() + ": the success branch's put answers response_put");
        TxnResponse second = wire().call("etcdserverpb.KV/Txn", swap, TxnResponse.getDefaultInstance());
        assertFalse(second.getSucceeded(), () -> subject() + ": Txn whose compare fails must not succeed, got " + second);
        assertEquals("new", second.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8(),
                () -> subject() + ": the failure branch's range answers the current value");
    }

    @Test
    @Override
    public void required_specT2_4_leasesAttachAndRevokeDeletes() throws Exception {
        LeaseGrantResponse grant = wire().call("etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(60).build(),
                LeaseGrantResponse.getDefaultInstance());
        assertTrue(grant.getID() != 0, () -> subject() + ": LeaseGrant answers an id, got " + grant);
        assertEquals(60, grant.getTTL(), () -> subject() + ": LeaseGrant answers the TTL");
        wire().call("etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bytes("t2/leased")).setValue(bytes("v"))
                .setLease(grant.getID()).build(), PutResponse.getDefaultInstance());
        LeaseTimeToLiveResponse ttl = wire().call("etcdserverpb.Lease/LeaseTimeToLive", LeaseTimeToLiveRequest.newBuilder()
                .setID(grant.getID()).setKeys(true).build(), LeaseTimeToLiveResponse.getDefaultInstance());
        assertEquals(List.of("t2/leased"), ttl.getKeysList().stream().map(ByteString::toStringUtf8).toList(),
                () -> subject() + ": LeaseTimeToLive with keys lists the attached key, got " + ttl);
        assertTrue(ttl.getTTL() > 0 && ttl.getTTL() <= 60, () -> subject() + ": LeaseTimeToLive TTL left, got " + ttl);
        LeaseLeasesResponse leases = wire().call("etcdserverpb.Lease/LeaseLeases", LeaseLeasesRequest.getDefaultInstance(),
                LeaseLeasesResponse.getDefaultInstance());
        assertTrue(leases.getLeasesList().stream().map(LeaseStatus::getID).toList().contains(grant.getID()),
                () -> subject() + ": LeaseLeases lists the lease, got " + leases);
        wire().call("etcdserverpb.Lease/LeaseRevoke", LeaseRevokeRequest.newBuilder().setID(grant.getID()).build(),
                LeaseRevokeResponse.getDefaultInstance());
        assertEquals(0, range(RangeRequest.newBuilder().setKey(bytes("t2/leased")).build()).getCount(),
                () -> subject() + ": LeaseRevoke deletes the attached key");
    }

    @Test
    @Override
    public void required_specT2_5_clusterAndMaintenanceDescribeTheMember() throws Exception {
        long revision = put("t2/m", "v").getHeader().getRevision();
        MemberListResponse members = wire().call("etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance(),
                MemberListResponse.getDefaultInstance());
        assertEquals(1, members.getMembersCount(), () -> subject() + ": MemberList of a single member, got " + members);
        assertEquals(members.getHeader().getMemberId(), members.getMembers(0).getID(),
                () -> subject() + ": the member listed is the one answering");
        StatusResponse status = wire().call("etcdserverpb.Maintenance/Status", StatusRequest.getDefaultInstance(),
                StatusResponse.getDefaultInstance());
        assertFalse(status.getVersion().isEmpty(), () -> subject() + ": Status answers a version, got " + status);
        assertEquals(status.getHeader().getMemberId(), status.getLeader(), () -> subject() + ": a single member leads itself");
        assertTrue(status.getHeader().getRevision() >= revision, () -> subject() + ": Status header revision, got " + status);
    }

    /** One error case of rule T3.1: what is sent, and etcd's answer. */
    private record ErrorCase(String what, String method, Message request, Message responseType, String code, String message) {}

    @Test
    @Override
    public void required_specT3_1_errorsCarryEtcdsCodesAndMessages() throws Exception {
        put("t3/a", "1");
        put("t3/a", "2");
        long revision = put("t3/a", "3").getHeader().getRevision();
        wire().call("etcdserverpb.KV/Compact", CompactionRequest.newBuilder().setRevision(revision - 1).build(),
                CompactionResponse.getDefaultInstance());
        List<ErrorCase> cases = List.of(
                new ErrorCase("Range of an empty key", "etcdserverpb.KV/Range", RangeRequest.getDefaultInstance(),
                        RangeResponse.getDefaultInstance(), "INVALID_ARGUMENT", "etcdserver: key is not provided"),
                new ErrorCase("Range at a future revision", "etcdserverpb.KV/Range",
                        RangeRequest.newBuilder().setKey(bytes("t3/a")).setRevision(revision + 1000).build(),
                        RangeResponse.getDefaultInstance(), "OUT_OF_RANGE", "etcdserver: mvcc: required revision is a future revision"),
                new ErrorCase("Range at a compacted revision", "etcdserverpb.KV/Range",
                        RangeRequest.newBuilder().setKey(bytes("t3/a")).setRevision(revision - 2).build(),
                        RangeResponse.getDefaultInstance(), "OUT_OF_RANGE", "etcdserver: mvcc: required revision has been compacted"),
                new ErrorCase("Put with an unknown lease", "etcdserverpb.KV/Put",
                        PutRequest.newBuilder().setKey(bytes("t3/b")).setValue(bytes("v")).setLease(0x7E57).build(),
                        PutResponse.getDefaultInstance(), "NOT_FOUND", "etcdserver: requested lease not found"),
                new ErrorCase("LeaseRevoke of an unknown lease", "etcdserverpb.Lease/LeaseRevoke",
                        LeaseRevokeRequest.newBuilder().setID(0x7E57).build(), LeaseRevokeResponse.getDefaultInstance(),
                        "NOT_FOUND", "etcdserver: requested lease not found"),
                new ErrorCase("Txn putting one key twice", "etcdserverpb.KV/Txn", TxnRequest.newBuilder()
                        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("t3/d")).setValue(bytes("1"))))
                        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("t3/d")).setValue(bytes("2"))))
                        .build(), TxnResponse.getDefaultInstance(), "INVALID_ARGUMENT",
                        "etcdserver: duplicate key given in txn request"));
        List<String> wrong = new ArrayList<>();
        for (ErrorCase c : cases) {
            try {
                Message answer = wire().call(c.method(), c.request(), c.responseType());
                wrong.add(c.what() + " answered " + answer.toString().replace('\n', ' ') + ", expected " + c.code() + ": " + c.message());
            } catch (EtcdWireException error) {
                if (!error.code().equals(c.code()) || !c.message().equals(error.getMessage())) {
                    wrong.add(c.what() + " answered " + error + ", expected " + c.code() + ": " + c.message());
                }
            }
        }
        assertTrue(wrong.isEmpty(), () -> subject() + " must answer etcd's errors: " + String.join("; ", wrong));
    }

    private static WatchRequest watchRange(String key, String rangeEnd, long startRevision) {
        return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bytes(key))
                .setRangeEnd(bytes(rangeEnd)).setStartRevision(startRevision)).build();
    }

    /** The first response of a new watch, which must be its "created". */
    private WatchResponse created(EtcdWire.WatchStream stream) throws Exception {
        WatchResponse first = stream.poll(WAIT);
        assertNotNull(first, () -> subject() + ": a watch must answer created within " + WAIT);
        assertTrue(first.getCreated(), () -> subject() + ": a watch's first response must be created, got " + first);
        return first;
    }

    /** Events of {@code stream} until {@code count} arrived (fails after {@link #WAIT}). */
    private List<Event> events(EtcdWire.WatchStream stream, int count) throws Exception {
        List<Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.size() < count) {
            long left = deadline - System.nanoTime();
            WatchResponse next = left <= 0 ? null : stream.poll(Duration.ofNanos(left));
            if (next == null) {
                fail(subject() + ": the watch delivered " + events.size() + " of " + count + " events within " + WAIT);
            }
            events.addAll(next.getEventsList());
        }
        return events;
    }

    @Test
    @Override
    public void required_specT4_1_watchStreamsEventsInOrder() throws Exception {
        try (EtcdWire.WatchStream stream = wire().watch(watchRange("t4/", "t40", 0))) {
            created(stream);
            List<Long> revisions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                revisions.add(put("t4/" + i, "v" + i).getHeader().getRevision());
            }
            revisions.add(wire().call("etcdserverpb.KV/DeleteRange", DeleteRangeRequest.newBuilder().setKey(bytes("t4/3")).build(),
                    DeleteRangeResponse.getDefaultInstance()).getHeader().getRevision());
            put("t5/outside", "x");
            List<Event> events = events(stream, 21);
            assertEquals(revisions, events.stream().map(e -> e.getKv().getModRevision()).toList(),
                    () -> subject() + ": the watch must deliver each change once, in revision order");
            assertEquals(Event.EventType.DELETE, events.get(20).getType(), () -> subject() + ": a delete arrives as DELETE");
            assertEquals("v7", events.get(7).getKv().getValue().toStringUtf8(), () -> subject() + ": a put carries its value");
        }
    }

    @Test
    @Override
    public void required_specT4_2_watchFromAnOldRevisionReplaysHistory() throws Exception {
        long first = put("t4/h", "1").getHeader().getRevision();
        put("t4/h", "2");
        put("t4/h", "3");
        try (EtcdWire.WatchStream stream = wire().watch(watchRange("t4/h", "", first))) {
            created(stream);
            assertEquals(List.of("1", "2", "3"), events(stream, 3).stream().map(e -> e.getKv().getValue().toStringUtf8()).toList(),
                    () -> subject() + ": a watch from revision " + first + " replays the history since it");
        }
    }

    @Test
    @Override
    public void required_specT4_3_watchBelowTheCompactionIsCanceled() throws Exception {
        put("t4/c", "1");
        put("t4/c", "2");
        long revision = put("t4/c", "3").getHeader().getRevision();
        wire().call("etcdserverpb.KV/Compact", CompactionRequest.newBuilder().setRevision(revision).build(),
                CompactionResponse.getDefaultInstance());
        try (EtcdWire.WatchStream stream = wire().watch(watchRange("t4/c", "", revision - 2))) {
            WatchResponse canceled = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (canceled == null && System.nanoTime() < deadline) {
                WatchResponse next = stream.poll(WAIT);
                if (next != null && next.getCanceled()) {
                    canceled = next;
                }
            }
            assertNotNull(canceled, () -> subject() + ": a watch below the compaction must be canceled");
            assertEquals(revision, canceled.getCompactRevision(), () -> subject() + ": the cancellation names the compact revision");
        }
    }

    @Test
    @Override
    public void required_specT5_1_aClosedWatchStreamEndsAndTheEndpointServesOn() throws Exception {
        EtcdWire.WatchStream closed = wire().watch(watchRange("t5/k", "", 0));
        created(closed);
        closed.close();
        try (EtcdWire.WatchStream fresh = wire().watch(watchRange("t5/k", "", 0))) {
            created(fresh);
            long revision = put("t5/k", "after").getHeader().getRevision();
            assertEquals(revision, events(fresh, 1).get(0).getKv().getModRevision(),
                    () -> subject() + ": a new watch after a closed one receives the change");
        }
        assertEquals("after", range(RangeRequest.newBuilder().setKey(bytes("t5/k")).build()).getKvs(0).getValue().toStringUtf8(),
                () -> subject() + ": unary calls work after a watch stream was closed");
    }

    @Test
    @Override
    public void optional_specT5_2_aCancelRequestCancelsTheWatch() throws Exception {
        try (EtcdWire.WatchStream stream = wire().watch(watchRange("t5/c", "", 0))) {
            long id = created(stream).getWatchId();
            boolean sent = stream.send(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
            Assumptions.assumeTrue(sent, subject() + " cannot send requests on an open watch");
            WatchResponse canceled = stream.poll(WAIT);
            assertNotNull(canceled, () -> subject() + ": a cancel request must be answered");
            assertTrue(canceled.getCanceled() && canceled.getWatchId() == id,
                    () -> subject() + ": a cancel request is answered canceled for watch " + id + ", got " + canceled);
            put("t5/c", "after");
            WatchResponse more = stream.poll(Duration.ofMillis(300));
            assertTrue(more == null || more.getEventsCount() == 0, () -> subject() + ": a canceled watch delivers nothing, got " + more);
        }
    }

    @Test
    @Override
    public void required_specT6_1_closingAClientEndpointReleasesItsAddresses() throws Exception {
        CairnServer member = track(CairnServer.builder().dataDir(workDir.resolve("t6")).storage(storageId()).start());
        ClientEndpoint endpoint;
        try {
            endpoint = provider().startClientEndpoint(member.client(), clientConfig(URI.create("http://127.0.0.1:0")));
        } catch (UnsupportedOperationException clientless) {
            Assumptions.abort(subject() + " serves no client traffic");
            return;
        }
        List<InetSocketAddress> addresses = endpoint.boundAddresses();
        endpoint.close(Duration.ofSeconds(1));
        for (InetSocketAddress address : addresses) {
            try (ServerSocket again = new ServerSocket()) {
                again.bind(address);
            } catch (IOException inUse) {
                fail(subject() + ": " + address + " must be free once the client endpoint is closed: " + inUse);
            }
        }
    }

    // ---------------------------------------------------------------- T10 auth

    private static final String ROOT_PASSWORD = "t10-root-secret";
    private static final String ALICE_PASSWORD = "t10-alice-secret";
    /** Alice's role may read and write this prefix and nothing else. */
    private static final String ALICE_PREFIX = "t10/app/";

    /** A call the kit makes to see how it ends. */
    private interface WireCall {
        Message run() throws Exception;
    }

    /** "OK", or the code and message the call was refused with. */
    private static String outcome(WireCall call) throws Exception {
        try {
            call.run();
            return "OK";
        } catch (EtcdWireException refused) {
            return refused.toString();
        }
    }

    private String authenticate(String user, String password) throws Exception {
        AuthenticateResponse answer = wire().call("etcdserverpb.Auth/Authenticate", AuthenticateRequest.newBuilder()
                .setName(user).setPassword(password).build(), AuthenticateResponse.getDefaultInstance());
        assertFalse(answer.getToken().isEmpty(), () -> subject() + ": Authenticate of " + user + " answers a token, got " + answer);
        return answer.getToken();
    }

    /**
     * Creates root (with the root role) and alice (with a role that may read and write
     * {@link #ALICE_PREFIX}), enables auth and answers root's token; every step as etcdctl takes it.
     */
    private String enableAuthWithRootAndAlice() throws Exception {
        wire().call("etcdserverpb.Auth/UserAdd", AuthUserAddRequest.newBuilder().setName("root").setPassword(ROOT_PASSWORD).build(),
                AuthUserAddResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/UserGrantRole", AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build(),
                AuthUserGrantRoleResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/RoleAdd", AuthRoleAddRequest.newBuilder().setName("t10-app").build(),
                AuthRoleAddResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/RoleGrantPermission", AuthRoleGrantPermissionRequest.newBuilder().setName("t10-app")
                .setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE).setKey(bytes(ALICE_PREFIX))
                        .setRangeEnd(bytes("t10/app0"))).build(), AuthRoleGrantPermissionResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/UserAdd", AuthUserAddRequest.newBuilder().setName("alice").setPassword(ALICE_PASSWORD).build(),
                AuthUserAddResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/UserGrantRole", AuthUserGrantRoleRequest.newBuilder().setUser("alice").setRole("t10-app").build(),
                AuthUserGrantRoleResponse.getDefaultInstance());
        wire().call("etcdserverpb.Auth/AuthEnable", AuthEnableRequest.getDefaultInstance(), AuthEnableResponse.getDefaultInstance());
        return authenticate("root", ROOT_PASSWORD);
    }

    @Test
    @Override
    public void required_specT10_1_authAdministrationRoundTrips() throws Exception {
        String rootToken = enableAuthWithRootAndAlice();
        EtcdWire root = wire().withToken(rootToken);
        AuthStatusResponse status = wire().call("etcdserverpb.Auth/AuthStatus", AuthStatusRequest.getDefaultInstance(),
                AuthStatusResponse.getDefaultInstance());
        assertTrue(status.getEnabled(), () -> subject() + ": AuthStatus after AuthEnable answers enabled, got " + status);
        AuthUserListResponse users = root.call("etcdserverpb.Auth/UserList", AuthUserListRequest.getDefaultInstance(),
                AuthUserListResponse.getDefaultInstance());
        assertEquals(List.of("alice", "root"), users.getUsersList(), () -> subject() + ": UserList with root's token, got " + users);
        AuthUserGetResponse alice = root.call("etcdserverpb.Auth/UserGet", AuthUserGetRequest.newBuilder().setName("alice").build(),
                AuthUserGetResponse.getDefaultInstance());
        assertEquals(List.of("t10-app"), alice.getRolesList(), () -> subject() + ": UserGet answers the roles granted, got " + alice);
        AuthRoleGetResponse role = root.call("etcdserverpb.Auth/RoleGet", AuthRoleGetRequest.newBuilder().setRole("t10-app").build(),
                AuthRoleGetResponse.getDefaultInstance());
        assertEquals(1, role.getPermCount(), () -> subject() + ": RoleGet answers the permission granted, got " + role);
        Permission permission = role.getPerm(0);
        assertEquals(List.of(Permission.Type.READWRITE, ALICE_PREFIX, "t10/app0"), List.of(permission.getPermType(),
                permission.getKey().toStringUtf8(), permission.getRangeEnd().toStringUtf8()),
                () -> subject() + ": RoleGet answers the permission's type, key and range_end, got " + role);
        AuthRoleListResponse roles = root.call("etcdserverpb.Auth/RoleList", AuthRoleListRequest.getDefaultInstance(),
                AuthRoleListResponse.getDefaultInstance());
        assertTrue(roles.getRolesList().contains("t10-app"), () -> subject() + ": RoleList lists the role added, got " + roles);
        root.call("etcdserverpb.Auth/AuthDisable", AuthDisableRequest.getDefaultInstance(), AuthDisableResponse.getDefaultInstance());
        AuthStatusResponse disabled = wire().call("etcdserverpb.Auth/AuthStatus", AuthStatusRequest.getDefaultInstance(),
                AuthStatusResponse.getDefaultInstance());
        assertFalse(disabled.getEnabled(), () -> subject() + ": AuthStatus after AuthDisable answers disabled, got " + disabled);
        assertEquals("OK", outcome(() -> put("t10/open", "v")), () -> subject() + ": with auth disabled a call without a token is served");
    }

    @Test
    @Override
    public void required_specT10_2_callsWithoutAValidTokenAreRefused() throws Exception {
        enableAuthWithRootAndAlice();
        EtcdWire alice = wire().withToken(authenticate("alice", ALICE_PASSWORD));
        EtcdWire forged = wire().withToken("not-a-token-this-server-issued");
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        Map<String, String> got = new java.util.LinkedHashMap<>();
        String userEmpty = "INVALID_ARGUMENT: etcdserver: user name is empty";
        expected.put("Put without a token", userEmpty);
        got.put("Put without a token", outcome(() -> put(ALICE_PREFIX + "x", "v")));
        expected.put("Range without a token", userEmpty);
        got.put("Range without a token", outcome(() -> range(RangeRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "x")).build())));
        expected.put("Range with a token the server never issued", "UNAUTHENTICATED: etcdserver: invalid auth token");
        got.put("Range with a token the server never issued", outcome(() -> forged.call("etcdserverpb.KV/Range",
                RangeRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "x")).build(), RangeResponse.getDefaultInstance())));
        expected.put("Authenticate with a wrong password",
                "INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password");
        got.put("Authenticate with a wrong password", outcome(() -> wire().call("etcdserverpb.Auth/Authenticate",
                AuthenticateRequest.newBuilder().setName("alice").setPassword("wrong").build(), AuthenticateResponse.getDefaultInstance())));
        expected.put("UserList with a token of a user without the root role", "PERMISSION_DENIED: etcdserver: permission denied");
        got.put("UserList with a token of a user without the root role", outcome(() -> alice.call("etcdserverpb.Auth/UserList",
                AuthUserListRequest.getDefaultInstance(), AuthUserListResponse.getDefaultInstance())));
        assertEquals(expected, got, () -> subject() + " must refuse calls without a valid token with etcd's codes and messages");
    }

    @Test
    @Override
    public void required_specT10_3_aTokenActsAsItsUser() throws Exception {
        EtcdWire root = wire().withToken(enableAuthWithRootAndAlice());
        EtcdWire alice = wire().withToken(authenticate("alice", ALICE_PASSWORD));
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        Map<String, String> got = new java.util.LinkedHashMap<>();
        expected.put("alice's Put in her prefix", "OK");
        got.put("alice's Put in her prefix", outcome(() -> alice.call("etcdserverpb.KV/Put",
                PutRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "x")).setValue(bytes("by alice")).build(), PutResponse.getDefaultInstance())));
        expected.put("alice's Range of her prefix", "OK");
        got.put("alice's Range of her prefix", outcome(() -> alice.call("etcdserverpb.KV/Range",
                RangeRequest.newBuilder().setKey(bytes(ALICE_PREFIX)).setRangeEnd(bytes("t10/app0")).build(),
                RangeResponse.getDefaultInstance())));
        String denied = "PERMISSION_DENIED: etcdserver: permission denied";
        expected.put("alice's Put outside her prefix", denied);
        got.put("alice's Put outside her prefix", outcome(() -> alice.call("etcdserverpb.KV/Put",
                PutRequest.newBuilder().setKey(bytes("t10/other")).setValue(bytes("v")).build(), PutResponse.getDefaultInstance())));
        expected.put("alice's Range outside her prefix", denied);
        got.put("alice's Range outside her prefix", outcome(() -> alice.call("etcdserverpb.KV/Range",
                RangeRequest.newBuilder().setKey(bytes("t10/other")).build(), RangeResponse.getDefaultInstance())));
        expected.put("root's Put anywhere", "OK");
        got.put("root's Put anywhere", outcome(() -> root.call("etcdserverpb.KV/Put",
                PutRequest.newBuilder().setKey(bytes("t10/other")).setValue(bytes("by root")).build(), PutResponse.getDefaultInstance())));
        assertEquals(expected, got, () -> subject() + ": a call with a user's token must act as that user");
        RangeResponse seen = root.call("etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "x")).build(),
                RangeResponse.getDefaultInstance());
        assertEquals("by alice", seen.getKvsCount() == 1 ? seen.getKvs(0).getValue().toStringUtf8() : seen.toString(),
                () -> subject() + ": root reads what alice wrote");
        try (EtcdWire.WatchStream watch = alice.watch(watchRange(ALICE_PREFIX, "t10/app0", 0))) {
            created(watch);
            long revision = root.call("etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "w"))
                    .setValue(bytes("w")).build(), PutResponse.getDefaultInstance()).getHeader().getRevision();
            assertEquals(revision, events(watch, 1).get(0).getKv().getModRevision(),
                    () -> subject() + ": a watch with alice's token on her prefix delivers its changes");
        }
    }

    @Test
    @Override
    public void required_specT10_4_aWatchOutsideThePermissionIsRefusedAsEtcdRefusesIt() throws Exception {
        EtcdWire root = wire().withToken(enableAuthWithRootAndAlice());
        EtcdWire alice = wire().withToken(authenticate("alice", ALICE_PASSWORD));
        try (EtcdWire.WatchStream watch = alice.watch(watchRange("t10/other", "", 0))) {
            WatchResponse refused = watch.poll(WAIT);
            assertNotNull(refused, () -> subject() + ": a watch outside alice's permission must be answered within " + WAIT);
            // etcd 3.4/3.5 (v3rpc/watch.go): created and canceled at once; the reason is the gRPC
            // error's text, and the stream stays open for further requests
            assertEquals(List.of(true, true, "rpc error: code = PermissionDenied desc = etcdserver: permission denied"),
                    List.of(refused.getCreated(), refused.getCanceled(), refused.getCancelReason()),
                    () -> subject() + ": a watch outside alice's permission is answered created, canceled, with etcd's reason; got "
                            + refused);
            if (!watch.send(watchRange(ALICE_PREFIX, "t10/app0", 0))) {
                // the wire cannot send a second request on the stream (the JSON gateway): the stream
                // must at least stay open, as etcd's does, rather than end after the refusal
                WatchResponse after;
                try {
                    after = watch.poll(Duration.ofMillis(500));
                } catch (EtcdWireException ended) {
                    fail(subject() + ": the watch stream must stay open after a refused watch, but ended: " + ended);
                    return;
                }
                assertNull(after, () -> subject() + ": a refused watch is answered once, then nothing; got " + after);
                return;
            }
            WatchResponse permitted = watch.poll(WAIT);
            assertTrue(permitted != null && permitted.getCreated() && !permitted.getCanceled(),
                    () -> subject() + ": after the refused watch, a permitted one on the same stream is created, got " + permitted);
            long revision = root.call("etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bytes(ALICE_PREFIX + "after-refusal"))
                    .setValue(bytes("v")).build(), PutResponse.getDefaultInstance()).getHeader().getRevision();
            assertEquals(revision, events(watch, 1).get(0).getKv().getModRevision(),
                    () -> subject() + ": the permitted watch on the stream that had a refused one delivers its changes");
        }
    }

    // ---------------------------------------------------------------- T11 lock and election

    private long grantLease() throws Exception {
        return wire().call("etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(60).build(),
                LeaseGrantResponse.getDefaultInstance()).getID();
    }

    /** Runs {@code call} on a thread of its own (a Lock or Campaign that waits); the rule's end interrupts it. */
    private <R> CompletableFuture<R> inBackground(java.util.concurrent.Callable<R> call) {
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kit-waiting-call");
            t.setDaemon(true);
            return t;
        });
        track(thread::shutdownNow);
        CompletableFuture<R> result = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    /** Checks that {@code pending} is still waiting after a moment: it must not complete while it is held off. */
    private void assertStillWaiting(CompletableFuture<?> pending, String what) throws Exception {
        try {
            Object answer = pending.get(500, TimeUnit.MILLISECONDS);
            fail(subject() + ": " + what + " must wait, but answered " + answer);
        } catch (java.util.concurrent.TimeoutException waiting) {
            // held off, as it must be
        } catch (ExecutionException failed) {
            fail(subject() + ": " + what + " must wait, but failed: " + failed.getCause());
        }
    }

    @Test
    @Override
    public void required_specT11_1_aLockIsHeldUntilUnlocked() throws Exception {
        String name = "t11/lock";
        long firstLease = grantLease();
        long secondLease = grantLease();
        LockResponse first = wire().call("v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(bytes(name)).setLease(firstLease).build(),
                LockResponse.getDefaultInstance());
        String firstKey = first.getKey().toStringUtf8();
        assertTrue(firstKey.startsWith(name + "/"), () -> subject() + ": Lock answers a key under the name, got " + first);
        RangeResponse held = range(RangeRequest.newBuilder().setKey(first.getKey()).build());
        assertTrue(held.getKvsCount() == 1 && held.getKvs(0).getLease() == firstLease,
                () -> subject() + ": the lock's key exists with the lock's lease, got " + held);
        CompletableFuture<LockResponse> second = inBackground(() -> wire().call("v3lockpb.Lock/Lock",
                LockRequest.newBuilder().setName(bytes(name)).setLease(secondLease).build(), LockResponse.getDefaultInstance()));
        assertStillWaiting(second, "a second Lock of a held name");
        wire().call("v3lockpb.Lock/Unlock", UnlockRequest.newBuilder().setKey(first.getKey()).build(), UnlockResponse.getDefaultInstance());
        LockResponse next = second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String nextKey = next.getKey().toStringUtf8();
        assertTrue(nextKey.startsWith(name + "/") && !nextKey.equals(firstKey),
                () -> subject() + ": the waiting Lock answers once the first is unlocked, with a key of its own, got " + next);
        wire().call("v3lockpb.Lock/Unlock", UnlockRequest.newBuilder().setKey(next.getKey()).build(), UnlockResponse.getDefaultInstance());
        assertEquals(0, range(RangeRequest.newBuilder().setKey(bytes(name + "/")).setRangeEnd(bytes(name + "0")).build()).getCount(),
                () -> subject() + ": Unlock deletes the lock's key");
    }

    /** Polls {@code observe} until it reports {@code value} as the leader's; fails naming what it saw instead. */
    private LeaderResponse observed(EtcdWire.ResponseStream<LeaderResponse> observe, String value) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            LeaderResponse next = observe.poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (next == null) {
                break;
            }
            String proclaimed = next.getKv().getValue().toStringUtf8();
            if (proclaimed.equals(value)) {
                return next;
            }
            seen.add(proclaimed);
        }
        fail(subject() + ": Observe must report the leader's value '" + value + "' within " + WAIT + ", saw " + seen);
        return null;
    }

    private String leaderValue(String name) throws Exception {
        LeaderResponse leader = wire().call("v3electionpb.Election/Leader", LeaderRequest.newBuilder().setName(bytes(name)).build(),
                LeaderResponse.getDefaultInstance());
        return leader.getKv().getValue().toStringUtf8();
    }

    @Test
    @Override
    public void required_specT11_2_anElectionHasOneLeaderAndObserveFollowsIt() throws Exception {
        String name = "t11/election";
        long firstLease = grantLease();
        long secondLease = grantLease();
        CampaignResponse first = wire().call("v3electionpb.Election/Campaign", CampaignRequest.newBuilder().setName(bytes(name))
                .setLease(firstLease).setValue(bytes("first")).build(), CampaignResponse.getDefaultInstance());
        LeaderKey leader = first.getLeader();
        assertTrue(leader.getName().toStringUtf8().equals(name) && leader.getKey().toStringUtf8().startsWith(name + "/")
                && leader.getLease() == firstLease && leader.getRev() > 0,
                () -> subject() + ": Campaign answers the leader key (name, a key under it, lease, revision), got " + first);
        assertEquals("first", leaderValue(name), () -> subject() + ": Leader answers the winner's value");
        try (EtcdWire.ResponseStream<LeaderResponse> observe = wire().stream("v3electionpb.Election/Observe",
                LeaderRequest.newBuilder().setName(bytes(name)).build(), LeaderResponse.getDefaultInstance())) {
            observed(observe, "first");
            wire().call("v3electionpb.Election/Proclaim", ProclaimRequest.newBuilder().setLeader(leader).setValue(bytes("second")).build(),
                    ProclaimResponse.getDefaultInstance());
            observed(observe, "second");
            assertEquals("second", leaderValue(name), () -> subject() + ": Leader answers the proclaimed value");
            CompletableFuture<CampaignResponse> challenger = inBackground(() -> wire().call("v3electionpb.Election/Campaign",
                    CampaignRequest.newBuilder().setName(bytes(name)).setLease(secondLease).setValue(bytes("third")).build(),
                    CampaignResponse.getDefaultInstance()));
            assertStillWaiting(challenger, "a second Campaign while the election has a leader");
            wire().call("v3electionpb.Election/Resign", ResignRequest.newBuilder().setLeader(leader).build(),
                    ResignResponse.getDefaultInstance());
            CampaignResponse won = challenger.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(won.getLeader().getLease() == secondLease && !won.getLeader().getKey().equals(leader.getKey()),
                    () -> subject() + ": the waiting Campaign wins once the leader resigned, got " + won);
            LeaderResponse changed = observed(observe, "third");
            assertEquals(won.getLeader().getKey(), changed.getKv().getKey(), () -> subject() + ": Observe reports the new leader's key");
            wire().call("v3electionpb.Election/Resign", ResignRequest.newBuilder().setLeader(won.getLeader()).build(),
                    ResignResponse.getDefaultInstance());
        }
    }

    // ---------------------------------------------------------------- T12 membership changes

    /** A peer URL on 127.0.0.1 where nothing listens: a learner that never starts. */
    private static String unusedPeerUrl() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + probe.getLocalPort();
        }
    }

    private MemberAddResponse addLearner(String peerUrl) throws Exception {
        return wire().call("etcdserverpb.Cluster/MemberAdd", MemberAddRequest.newBuilder().addPeerURLs(peerUrl).setIsLearner(true).build(),
                MemberAddResponse.getDefaultInstance());
    }

    @Test
    @Override
    public void required_specT12_1_membershipChangesAnswerTheMembers() throws Exception {
        long self = wire().call("etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance(),
                MemberListResponse.getDefaultInstance()).getHeader().getMemberId();
        String peerUrl = unusedPeerUrl();
        MemberAddResponse added = addLearner(peerUrl);
        Member learner = added.getMember();
        assertTrue(learner.getID() != 0 && learner.getIsLearner() && learner.getPeerURLsList().equals(List.of(peerUrl)),
                () -> subject() + ": MemberAdd answers the new learner with its peer URL, got " + added);
        assertEquals(java.util.Set.of(self, learner.getID()), added.getMembersList().stream().map(Member::getID)
                .collect(java.util.stream.Collectors.toSet()), () -> subject() + ": MemberAdd answers the new list, got " + added);
        String movedUrl = unusedPeerUrl();
        MemberUpdateResponse updated = wire().call("etcdserverpb.Cluster/MemberUpdate", MemberUpdateRequest.newBuilder()
                .setID(learner.getID()).addPeerURLs(movedUrl).build(), MemberUpdateResponse.getDefaultInstance());
        assertEquals(List.of(movedUrl), updated.getMembersList().stream().filter(m -> m.getID() == learner.getID())
                .flatMap(m -> m.getPeerURLsList().stream()).toList(),
                () -> subject() + ": MemberUpdate answers the list with the member's new peer URL, got " + updated);
        MemberListResponse listed = wire().call("etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance(),
                MemberListResponse.getDefaultInstance());
        assertTrue(listed.getMembersList().stream().anyMatch(m -> m.getID() == learner.getID() && m.getIsLearner()
                && m.getPeerURLsList().equals(List.of(movedUrl))), () -> subject() + ": MemberList lists the updated learner, got " + listed);
        MemberRemoveResponse removed = wire().call("etcdserverpb.Cluster/MemberRemove", MemberRemoveRequest.newBuilder()
                .setID(learner.getID()).build(), MemberRemoveResponse.getDefaultInstance());
        assertEquals(List.of(self), removed.getMembersList().stream().map(Member::getID).toList(),
                () -> subject() + ": MemberRemove answers the list without the member, got " + removed);
    }

    @Test
    @Override
    public void required_specT12_2_membershipChangesAreRefusedAsEtcdRefusesThem() throws Exception {
        long learner = addLearner(unusedPeerUrl()).getMember().getID();
        long unknown = 0x7E57;
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        Map<String, String> got = new java.util.LinkedHashMap<>();
        expected.put("MemberPromote of a learner not in sync",
                "FAILED_PRECONDITION: etcdserver: can only promote a learner member which is in sync with leader");
        got.put("MemberPromote of a learner not in sync", outcome(() -> wire().call("etcdserverpb.Cluster/MemberPromote",
                MemberPromoteRequest.newBuilder().setID(learner).build(), MemberPromoteResponse.getDefaultInstance())));
        String notFound = "NOT_FOUND: etcdserver: member not found";
        expected.put("MemberPromote of an unknown id", notFound);
        got.put("MemberPromote of an unknown id", outcome(() -> wire().call("etcdserverpb.Cluster/MemberPromote",
                MemberPromoteRequest.newBuilder().setID(unknown).build(), MemberPromoteResponse.getDefaultInstance())));
        expected.put("MemberRemove of an unknown id", notFound);
        got.put("MemberRemove of an unknown id", outcome(() -> wire().call("etcdserverpb.Cluster/MemberRemove",
                MemberRemoveRequest.newBuilder().setID(unknown).build(), MemberRemoveResponse.getDefaultInstance())));
        expected.put("MemberUpdate of an unknown id", notFound);
        got.put("MemberUpdate of an unknown id", outcome(() -> wire().call("etcdserverpb.Cluster/MemberUpdate",
                MemberUpdateRequest.newBuilder().setID(unknown).addPeerURLs(unusedPeerUrl()).build(),
                MemberUpdateResponse.getDefaultInstance())));
        assertEquals(expected, got, () -> subject() + " must refuse membership changes with etcd's codes and messages");
    }

    // ---------------------------------------------------------------- peer half

    /** Records what a peer endpoint delivers: frames (their first 8 bytes, per sender), unreachable reports, snapshots. */
    static final class RecordingHandler implements PeerHandler {
        interface SnapshotReceiver {
            void receive(long from, ByteBuffer message, InputStream data) throws IOException;
        }

        final Map<Long, List<Long>> sequences = new ConcurrentHashMap<>();
        final Map<Long, AtomicInteger> unreachable = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final List<String> corrupt = new CopyOnWriteArrayList<>();
        volatile SnapshotReceiver snapshots = (from, message, data) -> {
            throw new IOException("this handler takes no snapshots");
        };

        @Override
        public void receive(long from, ByteBuffer frame) {
            calls.incrementAndGet();
            long sequence = frame.getLong(frame.position());
            for (int i = frame.position() + 8; i < frame.limit(); i++) {
                if (frame.get(i) != (byte) (sequence + i - frame.position())) {
                    corrupt.add("frame " + sequence + " from " + from + " differs at byte " + (i - frame.position()));
                    break;
                }
            }
            sequences.computeIfAbsent(from, id -> new CopyOnWriteArrayList<>()).add(sequence);
        }

        @Override
        public void receiveSnapshot(long from, ByteBuffer message, InputStream data) throws IOException {
            calls.incrementAndGet();
            snapshots.receive(from, message, data);
        }

        @Override
        public void unreachable(long peer) {
            calls.incrementAndGet();
            unreachable.computeIfAbsent(peer, id -> new AtomicInteger()).incrementAndGet();
        }

        List<Long> from(long sender) {
            return List.copyOf(sequences.getOrDefault(sender, List.of()));
        }

        int unreachableCount(long peer) {
            AtomicInteger count = unreachable.get(peer);
            return count == null ? 0 : count.get();
        }
    }

    /** A frame of {@code size} bytes: the sequence number, then bytes that depend on it and their offset. */
    static ByteBuffer frame(long sequence, int size) {
        ByteBuffer frame = ByteBuffer.allocate(Math.max(8, size));
        frame.putLong(0, sequence);
        for (int i = 8; i < frame.capacity(); i++) {
            frame.put(i, (byte) (sequence + i));
        }
        return frame;
    }

    private PeerEndpoint startPeer(PeerEndpointConfig config, PeerHandler handler) {
        Assumptions.assumeTrue(provider().carriesPeerTraffic(), () -> subject() + " carries no peer traffic");
        PeerEndpoint endpoint = provider().startPeerEndpoint(config, handler);
        return track(endpoint);
    }

    private PeerEndpoint startPeer(long cluster, long member, PeerHandler handler) {
        return startPeer(PeerEndpointConfig.of(cluster, member, URI.create("http://127.0.0.1:0")), handler);
    }

    private void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(subject() + ": gave up waiting " + WAIT + " for " + what.get());
            }
            pause(10);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static List<Long> range(long fromInclusive, long toExclusive) {
        List<Long> list = new ArrayList<>();
        for (long i = fromInclusive; i < toExclusive; i++) {
            list.add(i);
        }
        return list;
    }

    @Test
    @Override
    public void required_specT7_1_framesArriveWholeAndInOrderPerPeer() {
        List<RecordingHandler> handlers = List.of(new RecordingHandler(), new RecordingHandler(), new RecordingHandler());
        List<PeerEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            endpoints.add(startPeer(CLUSTER, i + 1, handlers.get(i)));
        }
        Map<Long, List<URI>> members = Map.of(1L, endpoints.get(0).boundUrls(), 2L, endpoints.get(1).boundUrls(),
                3L, endpoints.get(2).boundUrls());
        endpoints.forEach(endpoint -> endpoint.updatePeers(members));
        int count = 1500;
        for (int seq = 0; seq < count; seq++) {
            for (int from = 1; from <= 3; from++) {
                for (int to = 1; to <= 3; to++) {
                    if (from != to) {
                        int size = 8 + (seq % 7) * 300 + (seq % 500 == 0 ? 200_000 : 0);
                        int sender = from;
                        int receiver = to;
                        long sequence = seq;
                        assertTrue(endpoints.get(from - 1).send(to, frame(seq, size)),
                                () -> subject() + ": frame " + sequence + " from " + sender + " to " + receiver + " must be queued");
                    }
                }
            }
        }
        for (int to = 1; to <= 3; to++) {
            RecordingHandler receiver = handlers.get(to - 1);
            for (int from = 1; from <= 3; from++) {
                if (from == to) {
                    continue;
                }
                long sender = from;
                int recipient = to;
                await(() -> receiver.from(sender).size() >= count,
                        () -> count + " frames from " + sender + " at " + recipient + ", got " + receiver.from(sender).size());
                assertEquals(range(0, count), receiver.from(sender),
                        () -> subject() + ": frames from " + sender + " to " + recipient + " must arrive in order, each once");
            }
            assertEquals(List.of(), receiver.corrupt, () -> subject() + ": frames must arrive whole");
            assertTrue(receiver.unreachable.isEmpty(), () -> subject() + ": no peer is unreachable, got " + receiver.unreachable);
        }
    }

    @Test
    @Override
    public void required_specT7_2_aFrameForAnUnknownMemberIsDropped() {
        RecordingHandler handler = new RecordingHandler();
        PeerEndpoint endpoint = startPeer(CLUSTER, 1, handler);
        assertFalse(endpoint.send(9, frame(0, 16)), () -> subject() + ": send to a member not in updatePeers must return false");
        await(() -> handler.unreachableCount(9) > 0, () -> "member 9 reported unreachable");
    }

    @Test
    @Override
    public void required_specT7_3_aFrameOverTheLimitIsDroppedAtOnce() {
        RecordingHandler handler = new RecordingHandler();
        PeerEndpoint receiver = startPeer(CLUSTER, 2, new RecordingHandler());
        PeerEndpoint sender = startPeer(PeerEndpointConfig.of(CLUSTER, 1, URI.create("http://127.0.0.1:0"))
                .withMaxFrameBytes(64 * 1024), handler);
        sender.updatePeers(Map.of(2L, receiver.boundUrls()));
        assertFalse(sender.send(2, frame(0, 64 * 1024 + 1)),
                () -> subject() + ": send of a frame over maxFrameBytes (65536) must return false");
        assertTrue(sender.send(2, frame(1, 64 * 1024)), () -> subject() + ": a frame of exactly maxFrameBytes is sent");
    }

    @Test
    @Override
    public void required_specT7_4_aDeadPeerCostsBoundedMemory() throws Exception {
        int maxQueued = 64;
        int frameBytes = 1024;
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (!blackHole.isClosed()) {
                    try {
                        accepted.add(blackHole.accept()); // and never read
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            RecordingHandler handler = new RecordingHandler();
            PeerEndpoint sender = startPeer(PeerEndpointConfig.of(CLUSTER, 1, URI.create("http://127.0.0.1:0"))
                    .withMaxQueuedFrames(maxQueued), handler);
            sender.updatePeers(Map.of(2L, List.of(URI.create("http://127.0.0.1:" + blackHole.getLocalPort()))));
            ByteBuffer frame = frame(0, frameBytes).asReadOnlyBuffer();
            long taken = 0;
            long dropped = 0;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 500; i++) {
                    if (sender.send(2, frame.duplicate())) {
                        taken++;
                    } else {
                        dropped++;
                    }
                }
                pause(5);
            }
            long limit = maxQueued + IN_FLIGHT_ALLOWANCE_BYTES / frameBytes;
            long takenFrames = taken;
            assertTrue(taken <= limit, () -> subject() + " took " + takenFrames + " frames of " + frameBytes
                    + " bytes for a peer that never reads; at most " + limit + " (maxQueuedFrames " + maxQueued
                    + " plus " + IN_FLIGHT_ALLOWANCE_BYTES + " bytes in flight) keep memory bounded");
            long droppedFrames = dropped;
            assertTrue(dropped > 0, () -> subject() + ": send must drop frames once the queue is full, dropped " + droppedFrames);
            assertTrue(handler.unreachableCount(2) > 0, () -> subject() + ": a peer whose frames are dropped is reported unreachable");
            blackHole.close();
            acceptor.join(5000);
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    @Override
    public void required_specT7_5_framesFlowAgainAfterTheReceiverRestarts() {
        RecordingHandler senderHandler = new RecordingHandler();
        RecordingHandler first = new RecordingHandler();
        PeerEndpoint sender = startPeer(CLUSTER, 1, senderHandler);
        PeerEndpoint receiver = startPeer(CLUSTER, 2, first);
        URI url = receiver.boundUrls().get(0);
        sender.updatePeers(Map.of(2L, List.of(url)));
        for (int seq = 0; seq < 10; seq++) {
            assertTrue(sender.send(2, frame(seq, 16)), () -> subject() + ": frames to a live peer are queued");
        }
        await(() -> first.from(1).size() == 10, () -> "10 frames at the first receiver, got " + first.from(1));
        receiver.close();
        long seq = 10;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (senderHandler.unreachableCount(2) == 0 && System.nanoTime() < deadline) {
            sender.send(2, frame(seq++, 16));
            pause(20);
        }
        assertTrue(senderHandler.unreachableCount(2) > 0, () -> subject() + ": a stopped receiver must be reported unreachable");
        RecordingHandler second = new RecordingHandler();
        PeerEndpoint restarted = startPeer(PeerEndpointConfig.of(CLUSTER, 2, url), second);
        assertEquals(List.of(url), restarted.boundUrls());
        long firstAfter = seq + 1000;
        AtomicBoolean arrived = new AtomicBoolean();
        long next = firstAfter;
        deadline = System.nanoTime() + WAIT.toNanos();
        while (!arrived.get() && System.nanoTime() < deadline) {
            sender.send(2, frame(next++, 16));
            pause(20);
            arrived.set(second.from(1).stream().anyMatch(s -> s >= firstAfter));
        }
        assertTrue(arrived.get(), () -> subject() + ": frames must reach the restarted receiver within " + WAIT);
        List<Long> got = second.from(1);
        for (int i = 1; i < got.size(); i++) {
            int at = i;
            assertTrue(got.get(i) > got.get(i - 1), () -> subject() + ": frames after a reconnect in order without repeats, got " + got
                    + " (at " + at + ")");
        }
    }

    @Test
    @Override
    public void required_specT7_6_framesOfAnotherClusterAreRefused() {
        RecordingHandler senderHandler = new RecordingHandler();
        RecordingHandler receiver = new RecordingHandler();
        PeerEndpoint foreign = startPeer(CLUSTER + 1, 1, senderHandler);
        PeerEndpoint member = startPeer(CLUSTER, 2, receiver);
        // 2 is this cluster's member at that URL; 3 is a member the URL does not belong to
        foreign.updatePeers(Map.of(2L, member.boundUrls()));
        RecordingHandler misaddressing = new RecordingHandler();
        PeerEndpoint sameCluster = startPeer(CLUSTER, 1, misaddressing);
        sameCluster.updatePeers(Map.of(3L, member.boundUrls()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        long seq = 0;
        while ((senderHandler.unreachableCount(2) == 0 || misaddressing.unreachableCount(3) == 0) && System.nanoTime() < deadline) {
            foreign.send(2, frame(seq, 16));
            sameCluster.send(3, frame(seq++, 16));
            pause(20);
        }
        assertTrue(receiver.sequences.isEmpty(), () -> subject() + ": frames of another cluster or for another member must not be"
                + " delivered, got " + receiver.sequences);
        assertTrue(senderHandler.unreachableCount(2) > 0 && misaddressing.unreachableCount(3) > 0,
                () -> subject() + ": refused frames must make their sender report the peer unreachable");
    }

    private static byte[] snapshotData(int bytes) {
        byte[] data = new byte[bytes];
        new Random(42).nextBytes(data);
        return data;
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    @Test
    @Override
    public void required_specT8_1_aSnapshotArrivesWhole() throws Exception {
        byte[] data = snapshotData(6 << 20);
        AtomicBoolean handlerReturned = new AtomicBoolean();
        List<String> received = new CopyOnWriteArrayList<>();
        RecordingHandler receiverHandler = new RecordingHandler();
        receiverHandler.snapshots = (from, message, in) -> {
            byte[] got = in.readAllBytes();
            received.add(from + ":" + java.nio.charset.StandardCharsets.UTF_8.decode(message) + ":" + got.length + ":" + crc(got));
            pause(200);
            handlerReturned.set(true);
        };
        PeerEndpoint receiver = startPeer(CLUSTER, 2, receiverHandler);
        PeerEndpoint sender = startPeer(CLUSTER, 1, new RecordingHandler());
        sender.updatePeers(Map.of(2L, receiver.boundUrls()));
        CompletableFuture<Boolean> returnedAtCompletion = sender.sendSnapshot(2,
                java.nio.charset.StandardCharsets.UTF_8.encode("raft snapshot message"), new java.io.ByteArrayInputStream(data))
                .thenApply(ok -> handlerReturned.get());
        assertTrue(returnedAtCompletion.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                () -> subject() + ": sendSnapshot's future must complete only after the receiver's handler returned");
        assertEquals(List.of("1:raft snapshot message:" + data.length + ":" + crc(data)), received,
                () -> subject() + ": the snapshot (message, length, CRC) must arrive whole, once");
    }

    @Test
    @Override
    public void required_specT8_2_aRefusedSnapshotFailsTheSender() throws Exception {
        RecordingHandler receiverHandler = new RecordingHandler();
        receiverHandler.snapshots = (from, message, in) -> {
            in.readNBytes(1024);
            throw new IOException("disk full");
        };
        PeerEndpoint receiver = startPeer(CLUSTER, 2, receiverHandler);
        PeerEndpoint sender = startPeer(CLUSTER, 1, new RecordingHandler());
        sender.updatePeers(Map.of(2L, receiver.boundUrls()));
        CompletableFuture<Void> result = sender.sendSnapshot(2, ByteBuffer.wrap(new byte[] {1, 2, 3}),
                new java.io.ByteArrayInputStream(snapshotData(1 << 20)));
        try {
            result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            fail(subject() + ": sendSnapshot's future must fail when the receiver's handler throws");
        } catch (ExecutionException expected) {
            // the failure travelled back
        }
    }

    @Test
    @Override
    public void required_specT8_3_framesAreNotHeldUpBehindASnapshot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch reading = new CountDownLatch(1);
        RecordingHandler receiverHandler = new RecordingHandler();
        receiverHandler.snapshots = (from, message, in) -> {
            in.readNBytes(1024);
            reading.countDown();
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            in.readAllBytes();
        };
        PeerEndpoint receiver = startPeer(CLUSTER, 2, receiverHandler);
        PeerEndpoint sender = startPeer(CLUSTER, 1, new RecordingHandler());
        sender.updatePeers(Map.of(2L, receiver.boundUrls()));
        CompletableFuture<Void> snapshot = sender.sendSnapshot(2, ByteBuffer.wrap(new byte[] {1}),
                new java.io.ByteArrayInputStream(snapshotData(16 << 20)));
        try {
            assertTrue(reading.await(WAIT.toSeconds(), TimeUnit.SECONDS), () -> subject() + ": the snapshot handler must start");
            for (int seq = 0; seq < 100; seq++) {
                sender.send(2, frame(seq, 100));
            }
            await(() -> receiverHandler.from(1).size() == 100,
                    () -> "100 frames while a snapshot handler is blocked, got " + receiverHandler.from(1).size());
        } finally {
            release.countDown();
        }
        snapshot.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    @Override
    public void required_specT9_1_closingAPeerEndpointStopsEverything() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        RecordingHandler receiverHandler = new RecordingHandler();
        AtomicBoolean readFailed = new AtomicBoolean();
        receiverHandler.snapshots = (from, message, in) -> {
            in.readNBytes(1024);
            reading.countDown();
            try {
                in.readAllBytes(); // the sender stalls: blocks until the endpoint closes
            } catch (IOException expected) {
                readFailed.set(true);
                throw expected;
            }
        };
        PeerEndpoint receiver = startPeer(CLUSTER, 2, receiverHandler);
        PeerEndpoint sender = startPeer(CLUSTER, 1, new RecordingHandler());
        sender.updatePeers(Map.of(2L, receiver.boundUrls()));
        CountDownLatch stall = new CountDownLatch(1);
        InputStream stalling = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (sent >= STALL_AFTER_BYTES) {
                    try {
                        stall.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException("interrupted");
                    }
                    return -1;
                }
                int n = Math.min(length, STALL_AFTER_BYTES - sent);
                sent += n;
                return n;
            }
        };
        CompletableFuture<Void> snapshot = sender.sendSnapshot(2, ByteBuffer.wrap(new byte[] {1}), stalling);
        try {
            assertTrue(reading.await(WAIT.toSeconds(), TimeUnit.SECONDS), () -> subject() + ": the snapshot handler must start");
            List<InetSocketAddress> addresses = receiver.boundUrls().stream()
                    .map(u -> new InetSocketAddress(u.getHost(), u.getPort())).toList();
            receiver.close();
            int callsAtClose = receiverHandler.calls.get();
            assertTrue(readFailed.get(), () -> subject() + ": close must fail the data of a snapshot being received");
            for (InetSocketAddress address : addresses) {
                try (ServerSocket again = new ServerSocket()) {
                    again.bind(address);
                } catch (IOException inUse) {
                    fail(subject() + ": " + address + " must be free once the peer endpoint is closed: " + inUse);
                }
            }
            sender.close();
            try {
                snapshot.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                fail(subject() + ": a snapshot cut by close must fail the sender's future");
            } catch (ExecutionException expected) {
                // failed, as it must
            }
            pause(200);
            assertEquals(callsAtClose, receiverHandler.calls.get(), () -> subject() + ": no handler call after close returned");
        } finally {
            stall.countDown();
        }
    }
}
