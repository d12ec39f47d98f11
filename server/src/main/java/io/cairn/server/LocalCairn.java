package io.cairn.server;

import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.auth.Auth;
import io.cairn.api.auth.AuthDisableResponse;
import io.cairn.api.auth.AuthEnableResponse;
import io.cairn.api.auth.AuthRoleAddRequest;
import io.cairn.api.auth.AuthRoleAddResponse;
import io.cairn.api.auth.AuthRoleDeleteRequest;
import io.cairn.api.auth.AuthRoleDeleteResponse;
import io.cairn.api.auth.AuthRoleGetRequest;
import io.cairn.api.auth.AuthRoleGetResponse;
import io.cairn.api.auth.AuthRoleGrantPermissionRequest;
import io.cairn.api.auth.AuthRoleGrantPermissionResponse;
import io.cairn.api.auth.AuthRoleListResponse;
import io.cairn.api.auth.AuthRoleRevokePermissionRequest;
import io.cairn.api.auth.AuthRoleRevokePermissionResponse;
import io.cairn.api.auth.AuthStatusResponse;
import io.cairn.api.auth.AuthUserAddRequest;
import io.cairn.api.auth.AuthUserAddResponse;
import io.cairn.api.auth.AuthUserChangePasswordRequest;
import io.cairn.api.auth.AuthUserChangePasswordResponse;
import io.cairn.api.auth.AuthUserDeleteRequest;
import io.cairn.api.auth.AuthUserDeleteResponse;
import io.cairn.api.auth.AuthUserGetRequest;
import io.cairn.api.auth.AuthUserGetResponse;
import io.cairn.api.auth.AuthUserGrantRoleRequest;
import io.cairn.api.auth.AuthUserGrantRoleResponse;
import io.cairn.api.auth.AuthUserListResponse;
import io.cairn.api.auth.AuthUserRevokeRoleRequest;
import io.cairn.api.auth.AuthUserRevokeRoleResponse;
import io.cairn.api.auth.AuthenticateRequest;
import io.cairn.api.auth.AuthenticateResponse;
import io.cairn.api.Bytes;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.server.auth.AuthChange;
import io.cairn.server.auth.AuthState;
import io.cairn.server.auth.AuthStore;
import io.cairn.server.auth.Caller;
import io.cairn.server.auth.Passwords;
import java.util.function.Function;
import io.cairn.api.cluster.Cluster;
import io.cairn.api.cluster.Member;
import io.cairn.api.cluster.MemberAddRequest;
import io.cairn.api.cluster.MemberAddResponse;
import io.cairn.api.cluster.MemberListRequest;
import io.cairn.api.cluster.MemberListResponse;
import io.cairn.api.cluster.MemberPromoteRequest;
import io.cairn.api.cluster.MemberPromoteResponse;
import io.cairn.api.cluster.MemberRemoveRequest;
import io.cairn.api.cluster.MemberRemoveResponse;
import io.cairn.api.cluster.MemberUpdateRequest;
import io.cairn.api.cluster.MemberUpdateResponse;
import io.cairn.api.election.Election;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.kv.CompactionResponse;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.lease.Lease;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseGrantResponse;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.api.lease.LeaseLeasesResponse;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseRevokeResponse;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.lock.Lock;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmResponse;
import io.cairn.api.maintenance.DefragmentResponse;
import io.cairn.api.maintenance.HashKVRequest;
import io.cairn.api.maintenance.HashKVResponse;
import io.cairn.api.maintenance.HashResponse;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.maintenance.MoveLeaderRequest;
import io.cairn.api.maintenance.MoveLeaderResponse;
import io.cairn.api.maintenance.SnapshotResponse;
import io.cairn.api.maintenance.StatusResponse;
import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchStream;
import io.cairn.raft.ConfChangeSingle;
import io.cairn.raft.ConfChangeType;
import io.cairn.server.concurrency.KvElection;
import io.cairn.server.concurrency.KvLock;
import io.cairn.server.lease.Lessor;
import io.cairn.server.mvcc.KvRequestChecks;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.spi.storage.Backend;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * The in-process {@link Cairn}: every call goes straight to the node, no socket, no serialisation
 * but the log's. Writes are proposed through Raft; linearizable reads wait for a ReadIndex;
 * serializable reads read the local store at once.
 *
 * <p>Threading: thread-safe. Futures complete on the server's completion executor.
 */
final class LocalCairn implements Cairn {

    /** etcd's API version string, the one etcdctl and the clients expect in Status. */
    static final String ETCD_API_VERSION = "3.5.0";
    static final String NOT_IMPLEMENTED = "not implemented yet";

    private final RaftNode node;
    private final MvccStore store;
    private final Lessor lessor;
    private final Backend stateBackend;
    private final Backend raftBackend;
    private final Executor completions;
    private volatile Member self;
    private final long clusterId;
    private final int maxTxnOps;
    private final int maxRequestBytes;
    /** Opens a watch stream whose watchers the given function admits (null) or refuses (the reason). */
    private final Function<Function<WatchCreateRequest, String>, WatchStream> watchStreams;
    private final MemberTable members;
    private final String token;
    /** Set when this member has peers: lease calls only the leader answers go there. */
    private volatile LeaderForwarding leaderForwarding;
    private final AuthStore authStore;
    private final Executor hashing;
    private final int passwordIterations;
    /** Whom calls act as; null for the embedding code, which auth does not check. */
    private final Caller caller;
    /** The view the server holds (itself for that one): self and lease forwarding are set there. */
    private final LocalCairn root;

    private final KV kv = new LocalKv();
    private final Lease lease = new LocalLease();
    private final Cluster cluster = new LocalCluster();
    /** The member's maintenance (shared by every view); {@link #checkedMaintenance} checks a caller first. */
    private final LocalMaintenance maintenance;
    private final Maintenance checkedMaintenance = new CheckedMaintenance();
    // etcd's lock and election services run on the KV, watch and lease services (the watch is read lazily:
    // watchStreams is set by the constructor, after these initialisers)
    private final Lock lock = new KvLock(kv, () -> watch().openStream(), lease);
    private final Election election = new KvElection(kv, () -> watch().openStream(), lease);
    private final Auth auth = new LocalAuth();

    LocalCairn(RaftNode node, MvccStore store, Lessor lessor, Backend stateBackend, Backend raftBackend,
               Executor completions, Member self, long clusterId, int maxTxnOps, int maxRequestBytes,
               Function<Function<WatchCreateRequest, String>, WatchStream> watchStreams, MemberTable members,
               String token, AlarmTable alarms, AuthStore authStore, Executor hashing, int passwordIterations) {
        this.authStore = authStore;
        this.hashing = hashing;
        this.passwordIterations = passwordIterations;
        this.caller = null;
        this.root = this;
        this.node = node;
        this.store = store;
        this.lessor = lessor;
        this.stateBackend = stateBackend;
        this.raftBackend = raftBackend;
        this.completions = completions;
        this.self = self;
        this.clusterId = clusterId;
        this.maxTxnOps = maxTxnOps;
        this.maxRequestBytes = maxRequestBytes;
        this.watchStreams = watchStreams;
        this.members = members;
        this.token = token;
        this.maintenance = new LocalMaintenance(node, store, stateBackend, raftBackend, completions, members, alarms,
                this::header, this::self);
    }

    LocalMaintenance localMaintenance() {
        return maintenance;
    }

    /** A view of {@code root} whose calls act as {@code caller}. */
    private LocalCairn(LocalCairn root, Caller caller) {
        this.root = root;
        this.caller = Objects.requireNonNull(caller, "caller");
        this.node = root.node;
        this.store = root.store;
        this.lessor = root.lessor;
        this.stateBackend = root.stateBackend;
        this.raftBackend = root.raftBackend;
        this.completions = root.completions;
        this.self = null; // read through root
        this.clusterId = root.clusterId;
        this.maxTxnOps = root.maxTxnOps;
        this.maxRequestBytes = root.maxRequestBytes;
        this.watchStreams = root.watchStreams;
        this.members = root.members;
        this.token = root.token;
        this.authStore = root.authStore;
        this.hashing = root.hashing;
        this.passwordIterations = root.passwordIterations;
        this.maintenance = root.maintenance;
    }

    /** A view acting as {@code caller}, checked by the auth store (cheap: per call is fine). */
    LocalCairn as(Caller caller) {
        return new LocalCairn(root, caller);
    }

    AuthStore authStore() {
        return authStore;
    }

    Member self() {
        return root.self;
    }

    void leaderForwarding(LeaderForwarding forwarding) {
        this.leaderForwarding = forwarding;
    }

    /** Sets this member as the member list shows it (its client URLs are known once the endpoints are bound). */
    void self(Member member) {
        this.self = Objects.requireNonNull(member, "member");
    }

    /** A response header at the store's current revision, with cluster, member and term. */
    ResponseHeader header() {
        return header(store.currentRevision());
    }

    ResponseHeader header(long revision) {
        return new ResponseHeader(clusterId, root.self.id(), revision, node.term());
    }

    @Override public KV kv() { return kv; }
    @Override public Watch watch() {
        return caller == null ? () -> watchStreams.apply(request -> null) : () -> watchStreams.apply(this::watchRefusal);
    }
    @Override public Lease lease() { return lease; }
    @Override public Cluster cluster() { return cluster; }
    @Override public Maintenance maintenance() { return caller == null ? maintenance : checkedMaintenance; }
    @Override public Lock lock() { return lock; }
    @Override public Election election() { return election; }
    @Override public Auth auth() { return auth; }

    /** The server owns the node; closing a client view of it does nothing. */
    @Override
    public void close() {}

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Runs {@code check}, then proposes {@code request} guarded by the auth revision read before the
     * check: the apply refuses it if the auth store changed after this member checked the caller
     * (etcd's auth revision in the request header), so a permission revoked meanwhile still counts.
     */
    private <R> CompletableFuture<R> checkedWrite(Runnable check, Object request) {
        long guard = caller == null ? 0 : caller.revision() == Caller.CURRENT ? authStore.state().revision()
                : caller.revision();
        try {
            check.run();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return node.propose(caller == null ? request : new RequestCodec.Guarded(guard, request));
    }

    // ---- auth checks (etcd's authApplierV3 and v3_server checks) -----------------------------------

    /** The auth state to check this view's caller against, or null when nothing is checked. */
    private AuthState checking() {
        if (caller == null) {
            return null;
        }
        AuthState state = authStore.state();
        if (!state.enabled()) {
            return null;
        }
        if (caller.user().isEmpty()) {
            throw new CairnException(ErrorCode.USER_EMPTY);
        }
        if (caller.revision() != Caller.CURRENT && caller.revision() < state.revision()) {
            throw new CairnException(ErrorCode.AUTH_OLD_REVISION);
        }
        return state;
    }

    private void checkKeys(Bytes key, Bytes rangeEnd, boolean write) {
        AuthState state = checking();
        if (state != null) {
            state.checkKeys(caller.user(), key, rangeEnd, write);
        }
    }

    private void checkAdmin() {
        AuthState state = checking();
        if (state != null) {
            state.checkAdmin(caller.user());
        }
    }

    private void checkRange(RangeRequest range) {
        checkKeys(range.key(), range.rangeEnd(), false);
    }

    private void checkPut(PutRequest put) {
        checkKeys(put.key(), Bytes.EMPTY, true);
        if (put.prevKv()) {
            checkKeys(put.key(), Bytes.EMPTY, false);
        }
        if (put.lease() != 0 && checking() != null) {
            // etcd's checkLeasePuts: attaching a key to a lease needs write permission on the lease's keys
            for (Bytes key : store.keysOfLease(put.lease())) {
                checkKeys(key, Bytes.EMPTY, true);
            }
        }
    }

    private void checkDelete(DeleteRangeRequest delete) {
        checkKeys(delete.key(), delete.rangeEnd(), true);
        if (delete.prevKv()) {
            checkKeys(delete.key(), delete.rangeEnd(), false);
        }
    }

    /** Every compare (read) and every operation of both branches, nested transactions included. */
    private void checkTxn(TxnRequest txn) {
        if (checking() == null) {
            return;
        }
        for (io.cairn.api.kv.Compare compare : txn.compare()) {
            checkKeys(compare.key(), compare.rangeEnd(), false);
        }
        for (List<RequestOp> branch : List.of(txn.success(), txn.failure())) {
            for (RequestOp op : branch) {
                switch (op) {
                    case RangeRequest range -> checkRange(range);
                    case PutRequest put -> checkPut(put);
                    case DeleteRangeRequest delete -> checkDelete(delete);
                    case TxnRequest nested -> checkTxn(nested);
                }
            }
        }
    }

    /** etcd's answer to a watch the caller may not read: created and canceled with this reason. */
    static final String WATCH_PERMISSION_DENIED = "rpc error: code = PermissionDenied desc = etcdserver: permission denied";

    private String watchRefusal(WatchCreateRequest request) {
        try {
            checkKeys(request.key(), request.rangeEnd(), false);
            return null;
        } catch (CairnException refused) {
            return refused.is(ErrorCode.PERMISSION_DENIED) ? WATCH_PERMISSION_DENIED
                    : "rpc error: code = " + grpcCodeName(refused) + " desc = " + refused.getMessage();
        }
    }

    private static String grpcCodeName(CairnException e) {
        String name = e.status().name().toLowerCase(java.util.Locale.ROOT);
        StringBuilder camel = new StringBuilder();
        for (String part : name.split("_")) {
            camel.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return camel.toString();
    }

    private <R> CompletableFuture<R> checked(Runnable check, Supplier<CompletableFuture<R>> then) {
        try {
            check.run();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return then.get();
    }

    private <R> CompletableFuture<R> linearizable(Supplier<R> read) {
        return node.readBarrier().thenApply(v -> read.get());
    }

    private <R> CompletableFuture<R> serializable(Supplier<R> read) {
        return CompletableFuture.supplyAsync(read, completions);
    }

    private static <R> CompletableFuture<R> failed(CairnException e) {
        return CompletableFuture.failedFuture(e);
    }

    private static boolean allSerializable(List<RequestOp> ops) {
        for (RequestOp op : ops) {
            if (!(op instanceof RangeRequest range) || !range.serializable()) {
                return false;
            }
        }
        return true;
    }

    // ---- KV -----------------------------------------------------------------------------------

    private final class LocalKv implements KV {
        @Override
        public CompletableFuture<RangeResponse> range(RangeRequest request) {
            Objects.requireNonNull(request, "request");
            Supplier<RangeResponse> read = () -> {
                checkRange(request); // after the barrier: a permission revoked before it counts
                return store.range(request);
            };
            return checked(() -> KvRequestChecks.checkRange(request),
                    () -> request.serializable() ? serializable(read) : linearizable(read));
        }

        @Override
        public CompletableFuture<PutResponse> put(PutRequest request) {
            Objects.requireNonNull(request, "request");
            return checkedWrite(() -> {
                KvRequestChecks.checkPut(request);
                checkPut(request);
                maintenance.checkQuota(request);
            }, request);
        }

        @Override
        public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
            Objects.requireNonNull(request, "request");
            return checkedWrite(() -> {
                KvRequestChecks.checkDeleteRange(request);
                checkDelete(request);
            }, request);
        }

        @Override
        public CompletableFuture<TxnResponse> txn(TxnRequest request) {
            Objects.requireNonNull(request, "request");
            return checked(() -> KvRequestChecks.checkTxn(request, maxTxnOps), () -> {
                if (KvRequestChecks.isReadOnly(request)) {
                    // etcd serves a read-only txn as a read: serializable only if all its ranges are
                    boolean serializable = allSerializable(request.success()) && allSerializable(request.failure());
                    Supplier<TxnResponse> read = () -> {
                        checkTxn(request);
                        return store.readTxn(request);
                    };
                    return serializable ? serializable(read) : linearizable(read);
                }
                return checkedWrite(() -> {
                    checkTxn(request);
                    maintenance.checkQuota(request);
                }, request);
            });
        }

        @Override
        public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
            Objects.requireNonNull(request, "request");
            return checkedWrite(LocalCairn.this::checkAdmin, request);
        }
    }

    // ---- Lease --------------------------------------------------------------------------------

    private final class LocalLease implements Lease {
        @Override
        public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
            Objects.requireNonNull(request, "request");
            if (request.ttl() > Lessor.MAX_TTL_SECONDS) {
                return failed(new CairnException(ErrorCode.LEASE_TTL_TOO_LARGE));
            }
            return checkedWrite(() -> maintenance.checkQuota(request), request);
        }

        @Override
        public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
            Objects.requireNonNull(request, "request");
            // etcd's checkLeaseRevoke: write permission on every key the lease would delete
            return checkedWrite(() -> {
                if (checking() != null) {
                    store.keysOfLease(request.id()).forEach(key -> checkKeys(key, Bytes.EMPTY, true));
                }
            }, request);
        }

        @Override
        public LeaseKeepAliveStream openKeepAliveStream() {
            return new KeepAliveStream();
        }

        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
            Objects.requireNonNull(request, "request");
            if (request.keys()) {
                try {
                    if (checking() != null) {
                        store.keysOfLease(request.id()).forEach(key -> checkKeys(key, Bytes.EMPTY, false));
                    }
                } catch (CairnException refused) {
                    return failed(refused);
                }
            }
            LeaderForwarding forwarding = root.leaderForwarding;
            if (forwarding == null || lessor.isPrimary()) {
                return linearizable(() -> onPrimary(() -> lessor.timeToLive(store, request, System.nanoTime())));
            }
            // a follower asks the leader, which alone keeps deadlines; the keys are this member's (read after a barrier)
            return node.readBarrier().thenCompose(v -> forwarding.timeToLive(request.id())).thenApply(answer ->
                    new LeaseTimeToLiveResponse(header(), request.id(), answer.ttl(), answer.grantedTtl(),
                            request.keys() && answer.ttl() >= 0 ? store.keysOfLease(request.id()) : List.of()));
        }

        @Override
        public CompletableFuture<LeaseLeasesResponse> leases() {
            return linearizable(() -> lessor.leases(store));
        }
    }

    private <R> R onPrimary(Supplier<R> call) {
        try {
            return call.get();
        } catch (IllegalStateException notPrimary) {
            // only the leader tracks deadlines; one member that is not leader has no leader
            throw new CairnException(ErrorCode.NO_LEADER, notPrimary);
        }
    }

    /** etcd's keep-alive stream: each request renews on the leader, without a log entry. */
    private final class KeepAliveStream implements LeaseKeepAliveStream {
        private final QueuePublisher<LeaseKeepAliveResponse> publisher = new QueuePublisher<>(() -> {});
        private volatile boolean closed;

        @Override
        public void keepAlive(long id) {
            if (closed || publisher.isCancelled()) {
                throw new IllegalStateException("the keep-alive stream is closed");
            }
            LeaderForwarding forwarding = root.leaderForwarding;
            if (forwarding != null && !lessor.isPrimary()) {
                forwarding.keepAlive(id).whenComplete((answer, failure) -> {
                    if (failure != null) {
                        publisher.fail(failure instanceof CairnException c ? c
                                : new CairnException(ErrorCode.NO_LEADER, failure));
                    } else {
                        publisher.offer(new LeaseKeepAliveResponse(store.currentHeader(), id, answer.ttl()));
                    }
                });
                return;
            }
            try {
                publisher.offer(onPrimary(() -> lessor.renew(store, id, System.nanoTime())));
            } catch (CairnException e) {
                publisher.fail(e);
            }
        }

        @Override
        public void subscribe(Flow.Subscriber<? super LeaseKeepAliveResponse> subscriber) {
            publisher.subscribe(subscriber);
        }

        @Override
        public void close() {
            closed = true;
            publisher.complete();
        }
    }

    // ---- Cluster ------------------------------------------------------------------------------

    /** Every member, by id; this member as it knows itself if the table does not list it yet. */
    private List<Member> allMembers() {
        List<Member> all = members.members();
        if (all.isEmpty()) {
            return List.of(root.self);
        }
        return all;
    }

    private static final int MAX_LEARNERS = 1; // etcd's default --max-learners

    private final class LocalCluster implements Cluster {
        @Override
        public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            if (!validPeerUrls(request.peerUrls())) {
                return failed(new CairnException(ErrorCode.MEMBER_BAD_URLS));
            }
            List<Member> current = allMembers();
            for (Member m : current) {
                for (String url : request.peerUrls()) {
                    if (m.peerUrls().contains(url)) {
                        return failed(new CairnException(ErrorCode.PEER_URL_EXISTS));
                    }
                }
            }
            long id = CairnServer.addedMemberId(request.peerUrls(), token);
            if (members.member(id) != null) {
                return failed(new CairnException(ErrorCode.MEMBER_EXISTS));
            }
            if (members.isRemoved(id)) {
                return failed(new CairnException(StatusCode.FAILED_PRECONDITION, "membership: ID removed"));
            }
            if (request.learner()) {
                if (current.stream().filter(Member::learner).count() >= MAX_LEARNERS) {
                    return failed(new CairnException(ErrorCode.TOO_MANY_LEARNERS));
                }
            } else {
                long voters = current.stream().filter(m -> !m.learner()).count();
                long started = current.stream().filter(m -> !m.learner() && !m.name().isEmpty()).count();
                // etcd's rule, with its exception: a second member may join a lone started one
                if (started < quorum(voters + 1) && !(started == 1 && voters == 1)) {
                    return failed(new CairnException(ErrorCode.MEMBER_NOT_ENOUGH_STARTED));
                }
            }
            Member added = new Member(id, "", request.peerUrls(), List.of(), request.learner());
            ConfChangeSingle change = new ConfChangeSingle(request.learner() ? ConfChangeType.ADD_LEARNER
                    : ConfChangeType.ADD_VOTER, id);
            return node.proposeConfChange(change, added).thenApply(ok -> {
                Member now = members.member(id);
                return new MemberAddResponse(header(), now == null ? added : now, allMembers());
            });
        }

        @Override
        public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            List<Member> current = allMembers();
            Member target = current.stream().filter(m -> m.id() == request.id()).findFirst().orElse(null);
            if (target == null) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_FOUND));
            }
            if (!target.learner()) {
                long voters = current.stream().filter(m -> !m.learner()).count() - 1;
                long started = current.stream().filter(m -> !m.learner() && !m.name().isEmpty() && m.id() != target.id()).count();
                if (voters == 0 || started < quorum(voters)) {
                    return failed(new CairnException(ErrorCode.MEMBER_NOT_ENOUGH_STARTED));
                }
            }
            return node.proposeConfChange(new ConfChangeSingle(ConfChangeType.REMOVE, request.id()), null)
                    .thenApply(ok -> new MemberRemoveResponse(header(), allMembers()));
        }

        @Override
        public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            if (!validPeerUrls(request.peerUrls())) {
                return failed(new CairnException(ErrorCode.MEMBER_BAD_URLS));
            }
            List<Member> current = allMembers();
            if (current.stream().noneMatch(m -> m.id() == request.id())) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_FOUND));
            }
            for (Member m : current) {
                if (m.id() != request.id() && request.peerUrls().stream().anyMatch(m.peerUrls()::contains)) {
                    return failed(new CairnException(ErrorCode.PEER_URL_EXISTS));
                }
            }
            if (members.members().isEmpty()) {
                // an old one-member data directory whose table was never written: nothing to update through
                return failed(new CairnException(StatusCode.UNIMPLEMENTED, "member update needs the member table"));
            }
            return node.<Object>propose(new RequestCodec.MemberPeerUpdate(request.id(), request.peerUrls()))
                    .thenApply(ok -> new MemberUpdateResponse(header(), allMembers()));
        }

        @Override
        public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
            Supplier<MemberListResponse> list = () -> new MemberListResponse(header(), allMembers());
            return request.linearizable() ? linearizable(list) : serializable(list);
        }

        @Override
        public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            Member target = allMembers().stream().filter(m -> m.id() == request.id()).findFirst().orElse(null);
            if (target == null) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_FOUND));
            }
            if (!target.learner()) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_LEARNER));
            }
            // etcd's leader checks that the learner's log is within 10% of its own; a follower
            // forwards the promotion to the leader (here: asks it), then proposes through Raft
            LeaderForwarding forwarding = root.leaderForwarding;
            CompletableFuture<Boolean> ready = forwarding == null || node.isLeader()
                    ? node.learnerInSync(request.id()) : forwarding.learnerInSync(request.id());
            return ready.thenCompose(inSync -> {
                if (!inSync || target.name().isEmpty()) {
                    return failed(new CairnException(ErrorCode.LEARNER_NOT_READY));
                }
                return node.proposeConfChange(new ConfChangeSingle(ConfChangeType.ADD_VOTER, request.id()), null)
                        .thenApply(ok -> new MemberPromoteResponse(header(), allMembers()));
            });
        }
    }

    private static long quorum(long voters) {
        return voters / 2 + 1;
    }

    /** etcd's check: every URL absolute http(s)://host:port, at least one. */
    private static boolean validPeerUrls(List<String> urls) {
        if (urls.isEmpty()) {
            return false;
        }
        for (String url : urls) {
            try {
                java.net.URI uri = new java.net.URI(url);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getPort() <= 0 || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                    return false;
                }
            } catch (java.net.URISyntaxException e) {
                return false;
            }
        }
        return true;
    }

    // ---- Maintenance under auth ----------------------------------------------------------------

    /**
     * A caller's maintenance: etcd's authMaintenanceServer. Hash, HashKV, Defragment, Snapshot and
     * MoveLeader need the root role; Status and Alarm are open (etcd 3.4). The work is the member's
     * {@link LocalMaintenance}.
     */
    private final class CheckedMaintenance implements Maintenance {
        @Override
        public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
            return maintenance.alarm(request);
        }

        @Override
        public CompletableFuture<StatusResponse> status() {
            return maintenance.status();
        }

        @Override
        public CompletableFuture<DefragmentResponse> defragment() {
            return asAdmin(maintenance::defragment);
        }

        @Override
        public CompletableFuture<HashResponse> hash() {
            return asAdmin(maintenance::hash);
        }

        @Override
        public CompletableFuture<HashKVResponse> hashKV(HashKVRequest request) {
            Objects.requireNonNull(request, "request");
            return asAdmin(() -> maintenance.hashKV(request));
        }

        @Override
        public Flow.Publisher<SnapshotResponse> snapshot() {
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return subscriber -> {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override public void request(long n) {}
                        @Override public void cancel() {}
                    });
                    subscriber.onError(refused);
                };
            }
            return maintenance.snapshot();
        }

        @Override
        public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
            Objects.requireNonNull(request, "request");
            return asAdmin(() -> maintenance.moveLeader(request));
        }

        /** Checks root after a read barrier, as reads are checked: a root role revoked anywhere before counts. */
        private <R> CompletableFuture<R> asAdmin(Supplier<CompletableFuture<R>> call) {
            if (!authStore.state().enabled()) {
                return call.get(); // nothing to check: no barrier either
            }
            return node.readBarrier().thenCompose(v -> {
                checkAdmin();
                return call.get();
            });
        }
    }

    // ---- Auth ---------------------------------------------------------------------------------

    /** etcd's auth service: changes go through the log (passwords hashed first, here), reads after a barrier. */
    private final class LocalAuth implements Auth {

        private <R> CompletableFuture<R> change(AuthChange change, Supplier<R> answer) {
            return LocalCairn.this.<Object>checkedWrite(LocalCairn.this::checkAdmin, change).thenApply(ok -> answer.get());
        }

        private <R> CompletableFuture<R> adminRead(Function<AuthState, R> read) {
            return linearizable(() -> {
                checkAdmin();
                return read.apply(authStore.state());
            });
        }

        @Override
        public CompletableFuture<AuthEnableResponse> authEnable() {
            return change(new AuthChange.Enable(), () -> new AuthEnableResponse(header()));
        }

        @Override
        public CompletableFuture<AuthDisableResponse> authDisable() {
            return change(new AuthChange.Disable(), () -> new AuthDisableResponse(header()));
        }

        @Override
        public CompletableFuture<AuthStatusResponse> authStatus() {
            return linearizable(() -> {
                AuthState state = authStore.state();
                return new AuthStatusResponse(header(), state.enabled(), state.revision());
            });
        }

        @Override
        public CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest request) {
            Objects.requireNonNull(request, "request");
            // the password check is slow on purpose: off the loop thread
            return node.readBarrier().thenApplyAsync(v -> {
                AuthState state = authStore.state();
                if (!state.enabled()) {
                    throw new CairnException(ErrorCode.AUTH_NOT_ENABLED);
                }
                AuthState.User user = state.users().get(request.name());
                if (user == null || user.noPassword() || !Passwords.verify(request.password(), user.passwordHash())) {
                    throw new CairnException(ErrorCode.AUTH_FAILED);
                }
                return state.revision();
            }, hashing).thenCompose(revision -> {
                String issued = authStore.tokens().issue(request.name(), revision);
                if (!authStore.tokens().replicated()) {
                    return CompletableFuture.completedFuture(new AuthenticateResponse(header(), issued));
                }
                // every member records the token when it applies this entry (etcd's InternalAuthenticateRequest)
                return node.<Object>propose(new AuthChange.SimpleToken(request.name(), issued))
                        .thenApply(ok -> new AuthenticateResponse(header(), issued));
            });
        }

        /** The hash a user add or password change stores: the client's own PBKDF2 hash, or one made here. */
        private CompletableFuture<String> passwordHash(String password, String hashedPassword) {
            if (!hashedPassword.isEmpty()) {
                if (!Passwords.isHash(hashedPassword)) {
                    return failed(new CairnException(StatusCode.INVALID_ARGUMENT,
                            "etcdserver: hashed password is not a pbkdf2-sha256 hash"));
                }
                return CompletableFuture.completedFuture(hashedPassword);
            }
            return CompletableFuture.supplyAsync(() -> Passwords.hash(password, passwordIterations), hashing);
        }

        @Override
        public CompletableFuture<AuthUserAddResponse> userAdd(AuthUserAddRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            if (request.name().isEmpty()) {
                return failed(new CairnException(ErrorCode.USER_EMPTY));
            }
            CompletableFuture<String> hash = request.noPassword() ? CompletableFuture.completedFuture("")
                    : passwordHash(request.password(), request.hashedPassword());
            return hash.thenCompose(h -> change(new AuthChange.UserAdd(request.name(), h, request.noPassword()),
                    () -> new AuthUserAddResponse(header())));
        }

        @Override
        public CompletableFuture<AuthUserGetResponse> userGet(AuthUserGetRequest request) {
            Objects.requireNonNull(request, "request");
            return linearizable(() -> {
                // etcd: a user may read itself; others need the root role
                if (caller == null || !caller.user().equals(request.name())) {
                    checkAdmin();
                }
                return new AuthUserGetResponse(header(), authStore.state().user(request.name()).roles());
            });
        }

        @Override
        public CompletableFuture<AuthUserListResponse> userList() {
            return adminRead(state -> new AuthUserListResponse(header(), List.copyOf(state.users().keySet())));
        }

        @Override
        public CompletableFuture<AuthUserDeleteResponse> userDelete(AuthUserDeleteRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.UserDelete(request.name()), () -> new AuthUserDeleteResponse(header()));
        }

        @Override
        public CompletableFuture<AuthUserChangePasswordResponse> userChangePassword(AuthUserChangePasswordRequest request) {
            Objects.requireNonNull(request, "request");
            try {
                checkAdmin();
            } catch (CairnException refused) {
                return failed(refused);
            }
            return passwordHash(request.password(), request.hashedPassword()).thenCompose(h -> change(
                    new AuthChange.UserChangePassword(request.name(), h), () -> new AuthUserChangePasswordResponse(header())));
        }

        @Override
        public CompletableFuture<AuthUserGrantRoleResponse> userGrantRole(AuthUserGrantRoleRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.UserGrantRole(request.user(), request.role()),
                    () -> new AuthUserGrantRoleResponse(header()));
        }

        @Override
        public CompletableFuture<AuthUserRevokeRoleResponse> userRevokeRole(AuthUserRevokeRoleRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.UserRevokeRole(request.name(), request.role()),
                    () -> new AuthUserRevokeRoleResponse(header()));
        }

        @Override
        public CompletableFuture<AuthRoleAddResponse> roleAdd(AuthRoleAddRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.RoleAdd(request.name()), () -> new AuthRoleAddResponse(header()));
        }

        @Override
        public CompletableFuture<AuthRoleGetResponse> roleGet(AuthRoleGetRequest request) {
            Objects.requireNonNull(request, "request");
            return linearizable(() -> {
                AuthState state = authStore.state();
                // etcd: a user may read the roles it has; others need the root role
                AuthState.User self = caller == null ? null : state.users().get(caller.user());
                if (caller == null || self == null || !self.roles().contains(request.role())) {
                    checkAdmin();
                }
                return new AuthRoleGetResponse(header(), state.role(request.role()).permissions());
            });
        }

        @Override
        public CompletableFuture<AuthRoleListResponse> roleList() {
            return adminRead(state -> new AuthRoleListResponse(header(), List.copyOf(state.roles().keySet())));
        }

        @Override
        public CompletableFuture<AuthRoleDeleteResponse> roleDelete(AuthRoleDeleteRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.RoleDelete(request.role()), () -> new AuthRoleDeleteResponse(header()));
        }

        @Override
        public CompletableFuture<AuthRoleGrantPermissionResponse> roleGrantPermission(AuthRoleGrantPermissionRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.RoleGrantPermission(request.name(), request.perm()),
                    () -> new AuthRoleGrantPermissionResponse(header()));
        }

        @Override
        public CompletableFuture<AuthRoleRevokePermissionResponse> roleRevokePermission(AuthRoleRevokePermissionRequest request) {
            Objects.requireNonNull(request, "request");
            return change(new AuthChange.RoleRevokePermission(request.role(), request.key(), request.rangeEnd()),
                    () -> new AuthRoleRevokePermissionResponse(header()));
        }
    }
}
