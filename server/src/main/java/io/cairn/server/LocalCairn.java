package io.cairn.server;

import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.auth.Auth;
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
import io.cairn.api.maintenance.Maintenance;
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

import java.lang.reflect.Proxy;
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
    private final Supplier<WatchStream> watchStreams;
    private final MemberTable members;
    private final String token;
    /** Set when this member has peers: lease calls only the leader answers go there. */
    private volatile LeaderForwarding leaderForwarding;

    private final KV kv = new LocalKv();
    private final Lease lease = new LocalLease();
    private final Cluster cluster = new LocalCluster();
    private final LocalMaintenance maintenance;
    // etcd's lock and election services run on the KV, watch and lease services (the watch is read lazily:
    // watchStreams is set by the constructor, after these initialisers)
    private final Lock lock = new KvLock(kv, () -> watch().openStream(), lease);
    private final Election election = new KvElection(kv, () -> watch().openStream(), lease);
    private final Auth auth = unimplemented(Auth.class);

    LocalCairn(RaftNode node, MvccStore store, Lessor lessor, Backend stateBackend, Backend raftBackend,
               Executor completions, Member self, long clusterId, int maxTxnOps, int maxRequestBytes,
               Supplier<WatchStream> watchStreams, MemberTable members, String token, AlarmTable alarms) {
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

    Member self() {
        return self;
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
        return new ResponseHeader(clusterId, self.id(), revision, node.term());
    }

    @Override public KV kv() { return kv; }
    @Override public Watch watch() { return watchStreams::get; }
    @Override public Lease lease() { return lease; }
    @Override public Cluster cluster() { return cluster; }
    @Override public Maintenance maintenance() { return maintenance; }
    @Override public Lock lock() { return lock; }
    @Override public Election election() { return election; }
    @Override public Auth auth() { return auth; }

    /** The server owns the node; closing a client view of it does nothing. */
    @Override
    public void close() {}

    // ---- helpers ------------------------------------------------------------------------------

    private <R> CompletableFuture<R> propose(Object request) {
        return node.propose(request);
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

    /** An implementation whose every method fails with UNIMPLEMENTED: these belong to later issues. */
    @SuppressWarnings("unchecked")
    private static <T> T unimplemented(Class<T> type) {
        return (T) Proxy.newProxyInstance(LocalCairn.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "toString": return "unimplemented " + type.getSimpleName();
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: break;
            }
            CairnException e = new CairnException(StatusCode.UNIMPLEMENTED,
                    type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + "." + method.getName() + " is " + NOT_IMPLEMENTED);
            if (method.getReturnType() == Flow.Publisher.class) {
                return (Flow.Publisher<Object>) subscriber -> {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override public void request(long n) {}
                        @Override public void cancel() {}
                    });
                    subscriber.onError(e);
                };
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    // ---- KV -----------------------------------------------------------------------------------

    private final class LocalKv implements KV {
        @Override
        public CompletableFuture<RangeResponse> range(RangeRequest request) {
            Objects.requireNonNull(request, "request");
            return checked(() -> KvRequestChecks.checkRange(request),
                    () -> request.serializable() ? serializable(() -> store.range(request))
                            : linearizable(() -> store.range(request)));
        }

        @Override
        public CompletableFuture<PutResponse> put(PutRequest request) {
            Objects.requireNonNull(request, "request");
            return checked(() -> {
                KvRequestChecks.checkPut(request);
                maintenance.checkQuota(request);
            }, () -> propose(request));
        }

        @Override
        public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
            Objects.requireNonNull(request, "request");
            return checked(() -> KvRequestChecks.checkDeleteRange(request), () -> propose(request));
        }

        @Override
        public CompletableFuture<TxnResponse> txn(TxnRequest request) {
            Objects.requireNonNull(request, "request");
            return checked(() -> KvRequestChecks.checkTxn(request, maxTxnOps), () -> {
                if (KvRequestChecks.isReadOnly(request)) {
                    // etcd serves a read-only txn as a read: serializable only if all its ranges are
                    boolean serializable = allSerializable(request.success()) && allSerializable(request.failure());
                    return serializable ? serializable(() -> store.readTxn(request)) : linearizable(() -> store.readTxn(request));
                }
                return checked(() -> maintenance.checkQuota(request), () -> propose(request));
            });
        }

        @Override
        public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
            Objects.requireNonNull(request, "request");
            return propose(request);
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
            return checked(() -> maintenance.checkQuota(request), () -> propose(request));
        }

        @Override
        public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
            Objects.requireNonNull(request, "request");
            return propose(request);
        }

        @Override
        public LeaseKeepAliveStream openKeepAliveStream() {
            return new KeepAliveStream();
        }

        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
            Objects.requireNonNull(request, "request");
            LeaderForwarding forwarding = leaderForwarding;
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
            LeaderForwarding forwarding = leaderForwarding;
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
            return List.of(self);
        }
        return all;
    }

    private static final int MAX_LEARNERS = 1; // etcd's default --max-learners

    private final class LocalCluster implements Cluster {
        @Override
        public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
            Objects.requireNonNull(request, "request");
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
            Member target = allMembers().stream().filter(m -> m.id() == request.id()).findFirst().orElse(null);
            if (target == null) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_FOUND));
            }
            if (!target.learner()) {
                return failed(new CairnException(ErrorCode.MEMBER_NOT_LEARNER));
            }
            // etcd's leader checks that the learner's log is within 10% of its own; a follower
            // forwards the promotion to the leader (here: asks it), then proposes through Raft
            LeaderForwarding forwarding = leaderForwarding;
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
}
