package io.cairn.server;

import io.cairn.api.Cairn;
import io.cairn.api.Experimental;
import io.cairn.api.cluster.Member;
import io.cairn.server.lease.Lessor;
import io.cairn.server.mvcc.KvRequestChecks;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.server.raftlog.BackendRaftStorage;
import io.cairn.server.watch.WatchHub;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TlsConfig;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Cairn member in this process: the embedding entry point.
 *
 * <pre>{@code
 * try (CairnServer server = CairnServer.builder().dataDir(Path.of("data")).storage("rocksdb").start()) {
 *     Cairn cairn = server.client();                       // in-process, no socket
 *     cairn.kv().put(Bytes.fromUtf8("k"), Bytes.fromUtf8("v")).join();
 * }
 * }</pre>
 *
 * <p>Layout: {@code <dataDir>/member/raft} holds the Raft log (synced once per Ready),
 * {@code <dataDir>/member/state} the state machine (MVCC store and leases, with the applied
 * index; replayed from the log after a crash). Each is a {@link Backend} of the chosen storage.
 *
 * <p>Threading: {@link #client()} is thread-safe; {@link #close()} may be called from any thread.
 */
@Experimental("new with issue 4")
public final class CairnServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CairnServer.class.getName());

    /** The server could not start; the message names the problem (address, path, ids found). */
    public static final class StartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final Set<String> STATE_KEYSPACES;
    static {
        Set<String> keyspaces = new HashSet<>(MvccStore.KEYSPACES);
        keyspaces.addAll(Lessor.KEYSPACES);
        keyspaces.addAll(MemberTable.KEYSPACES);
        keyspaces.addAll(AlarmTable.KEYSPACES);
        keyspaces.addAll(io.cairn.server.auth.AuthStore.KEYSPACES);
        STATE_KEYSPACES = Set.copyOf(keyspaces);
    }
    /** etcd: 1.5 election timeouts, rounded up to seconds. */
    static final long MIN_LEASE_TTL_SECONDS =
            (long) Math.ceil(1.5 * RaftNode.ELECTION_TICKS * RaftNode.TICK_MILLIS / 1000.0);

    private final String name;
    private final Backend raftBackend;
    private final Backend stateBackend;
    private final MvccStore store;
    private final RaftNode node;
    private final WatchHub watchHub;
    private final LocalCairn cairn;
    private final ExecutorService completions;
    private final List<ClientEndpoint> endpoints = new ArrayList<>();
    private final long memberId;
    private final long clusterId;
    private final MemberTable members;
    private final Lessor lessor;
    private final PeerNetwork peers;
    private final String token;
    private final AlarmTable alarms;
    private final AutoCompactor autoCompactor;
    private final io.cairn.server.auth.AuthStore authStore;
    private final ExecutorService hashing;
    private final CredentialChecks credentialChecks;
    private volatile boolean closed;

    /** Starts a member's peer endpoint: a transport's, or an in-memory one in tests. */
    @FunctionalInterface
    interface PeerEndpointFactory {
        PeerEndpoint start(PeerEndpointConfig config, PeerHandler handler);
    }

    /** etcd's --initial-cluster-state. */
    public enum InitialClusterState {
        /** Bootstrap a new cluster of the --initial-cluster members. */
        NEW,
        /** Join a cluster that already runs (the member was added with MemberAdd first). */
        EXISTING
    }

    private CairnServer(Builder b, Backend raftBackend, Backend stateBackend, ExecutorService completions) {
        this.name = b.name;
        this.raftBackend = raftBackend;
        this.stateBackend = stateBackend;
        this.completions = completions;
        BackendRaftStorage log = BackendRaftStorage.open(raftBackend);
        List<String> peerUrls = b.peerUrls.stream().map(URI::toString).toList();
        Map<String, List<URI>> initialCluster = b.initialCluster();
        boolean fresh = log.lastIndex() == 0 && log.hardState().isEmpty();
        byte[] storedToken = log.identity("token");
        this.token = storedToken == null ? b.initialClusterToken : new String(storedToken, StandardCharsets.UTF_8);
        long ownId = b.initialClusterState == InitialClusterState.NEW ? memberId(b.name, peerUrls, b.initialClusterToken)
                : addedMemberId(peerUrls, b.initialClusterToken);
        long[] ids = identity(log, b.name, ownId, clusterIdOf(b.initialClusterToken), b.initialClusterToken);
        this.memberId = ids[0];
        this.clusterId = ids[1];
        this.lessor = Lessor.open(stateBackend, MIN_LEASE_TTL_SECONDS);
        this.members = MemberTable.open(stateBackend);
        this.alarms = AlarmTable.open(stateBackend);
        this.authStore = io.cairn.server.auth.AuthStore.open(stateBackend, b.tokenProvider());
        this.hashing = hashingExecutor();
        List<Long> initialVoters = new ArrayList<>();
        if (fresh && b.initialClusterState == InitialClusterState.NEW) {
            List<Member> initial = new ArrayList<>();
            initialCluster.forEach((memberName, urls) -> {
                List<String> strings = urls.stream().map(URI::toString).toList();
                long id = memberId(memberName, strings, b.initialClusterToken);
                initialVoters.add(id);
                initial.add(new Member(id, memberName.equals(b.name) ? b.name : "", strings, List.of(), false));
            });
            if (!initialVoters.contains(memberId)) {
                // a data directory made by `cairn snapshot restore` for another member of the initial cluster
                throw new StartException("data directory " + b.dataDir + " belongs to member "
                        + new String(Objects.requireNonNullElse(log.identity("name"), new byte[0]), StandardCharsets.UTF_8)
                        + " (" + Long.toHexString(memberId) + "): start it with the --name, --initial-cluster,"
                        + " --initial-cluster-token and --initial-advertise-peer-urls it was restored with", null);
            }
            if (members.members().isEmpty()) {
                members.bootstrap(stateBackend, initial);
            }
        } else if (!fresh && members.members().isEmpty()
                && log.initialState().confState().voters().equals(Set.of(memberId))) {
            // a data directory of a one-member build that kept no member table
            members.bootstrap(stateBackend, List.of(new Member(memberId, b.name, peerUrls, List.of(), false)));
        }
        RaftNode[] nodeRef = new RaftNode[1];
        this.store = MvccStore.open(stateBackend, MvccStore.Options.defaults(lessor::exists)
                .withMaxTxnOps(b.maxTxnOps)
                .withHeaders(revision -> new io.cairn.api.ResponseHeader(clusterId, memberId, revision,
                        nodeRef[0] == null ? 0 : nodeRef[0].term())));
        this.watchHub = new WatchHub(store, WatchHub.Options.defaults());
        ApplyListener toWatchers = new ApplyListener() {
            @Override
            public void onApplied(long revision, List<io.cairn.api.watch.Event> events) {
                watchHub.onApplied(revision, events);
            }

            @Override
            public void onCompacted(long compactRevision) {
                watchHub.onCompacted(compactRevision);
            }
        };
        this.node = new RaftNode(memberId, log, stateBackend, store, lessor, members, toWatchers,
                initialVoters, completions, b.maxRequestBytes);
        node.snapshotEvery(b.snapshotCount, Math.min(RaftNode.DEFAULT_CATCH_UP_ENTRIES, b.catchUpEntries()));
        nodeRef[0] = node;
        node.alarms(alarms);
        Member self = new Member(memberId, b.name, peerUrls, b.advertiseClientUrls.stream().map(URI::toString).toList(), false);
        node.authStore(authStore);
        this.credentialChecks = new CredentialChecks(node, authStore, hashing);
        this.cairn = new LocalCairn(node, store, lessor, stateBackend, raftBackend, completions, self, clusterId,
                b.maxTxnOps, b.maxRequestBytes, admission -> watchHub.openStream(() -> cairn().header(), admission),
                members, token, alarms, authStore, hashing, b.passwordIterations);
        cairn.localMaintenance().quotaBytes(b.quotaBackendBytes);
        this.autoCompactor = new AutoCompactor(b.autoCompaction, store, cairn.kv(), node::isLeader);
        if (b.needsPeers()) {
            Map<Long, List<URI>> bootstrapPeers = new LinkedHashMap<>();
            initialCluster.forEach((memberName, urls) -> {
                List<String> strings = urls.stream().map(URI::toString).toList();
                bootstrapPeers.put(memberId(memberName, strings, b.initialClusterToken), urls);
                bootstrapPeers.put(addedMemberId(strings, b.initialClusterToken), urls);
            });
            List<String> keyspaces = new ArrayList<>(STATE_KEYSPACES);
            keyspaces.sort(null);
            this.peers = new PeerNetwork(memberId, node, stateBackend, keyspaces,
                    stateBackend.directory().resolveSibling("snap"), members, bootstrapPeers);
            members.onChange(peers::refreshPeers);
            LeaderForwarding forwarding = new LeaderForwarding(peers::endpoint, node::leader, node::isLeader,
                    node::learnerInSync, lessor, store);
            peers.forwarding(forwarding);
            cairn.leaderForwarding(forwarding);
            node.peers(peers, index -> installSnapshot(index, keyspaces));
        } else {
            this.peers = null;
        }
    }

    /** Loop thread: replaces the state machine with the snapshot received for {@code index}. */
    private void installSnapshot(long index, List<String> keyspaces) {
        java.nio.file.Path file = peers.incoming(index);
        try {
            // reads wait while the keyspaces are rewritten, so none sees half a snapshot
            store.restore(() -> StateSnapshots.install(file, stateBackend, keyspaces));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot install the snapshot at index " + index + " from " + file, e);
        }
        lessor.reload(stateBackend);
        members.reload(stateBackend);
        alarms.reload(stateBackend);
        authStore.reload(stateBackend);
        peers.removeIncomingUpTo(index);
        // the snapshot carries the whole MVCC history: watchers behind it catch up from storage
        watchHub.onRestored(store.currentRevision());
        // operators (and the cluster verification) see that a member caught up from a snapshot, whatever the transport
        LOG.log(System.Logger.Level.INFO, "installed the snapshot at raft index " + index + " (revision "
                + store.currentRevision() + ")");
    }

    private void startPeers(Builder b) {
        if (peers == null) {
            return;
        }
        List<URI> listen = b.listenPeerUrls.isEmpty() ? b.peerUrls : b.listenPeerUrls;
        // TLS in the constructor: it refuses https listen URLs without it
        PeerEndpointConfig config = new PeerEndpointConfig(listen, clusterId, memberId,
                PeerEndpointConfig.DEFAULT_MAX_QUEUED_FRAMES, PeerEndpointConfig.DEFAULT_MAX_FRAME_BYTES, b.peerTls);
        PeerEndpointFactory factory = b.peerEndpoints;
        if (factory == null) {
            TransportProvider provider;
            try {
                provider = TransportProviders.byId(b.peerTransport);
            } catch (IllegalArgumentException e) {
                throw new StartException(e.getMessage(), e);
            }
            if (!provider.carriesPeerTraffic()) {
                throw new StartException("transport " + b.peerTransport + " carries no peer traffic: a cluster of "
                        + "several members needs a peer transport", null);
            }
            factory = provider::startPeerEndpoint;
        }
        try {
            if (b.faultInjectionFile != null) {
                FaultInjectingPeers faults = new FaultInjectingPeers();
                faults.watch(b.faultInjectionFile);
                PeerHandler handler = faults.wrap(peers);
                peers.attach(faults.wrap(factory.start(config, handler), handler));
            } else {
                peers.attach(factory.start(config, peers));
            }
        } catch (RuntimeException e) {
            throw new StartException("cannot start the peer endpoint on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** etcd's publish: this member's name and URLs go through the log, retried until applied. */
    private void publish(Member self, int attemptsLeft) {
        node.propose(new RequestCodec.MemberAttributes(self.id(), self.name(), self.peerUrls(), self.clientUrls()))
                .whenComplete((ok, failure) -> {
                    if (failure != null && attemptsLeft > 1 && !closed) {
                        CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)
                                .execute(() -> publish(self, attemptsLeft - 1));
                    }
                });
    }

    /** A builder with etcd's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The in-process API: no socket, no serialisation. Closing it does not close the server. It acts
     * for the embedding code, which auth does not check; {@link #clientAs} acts as a user.
     */
    public Cairn client() {
        return cairn;
    }

    /**
     * The in-process API acting as {@code user}, checked by auth like a remote client authenticated
     * as that user (nothing is checked while auth is disabled).
     */
    public Cairn clientAs(String user) {
        Objects.requireNonNull(user, "user");
        return cairn.as(new io.cairn.server.auth.Caller(user, io.cairn.server.auth.Caller.CURRENT));
    }

    /**
     * The views client endpoints serve calls on, by their credentials (etcd's auth): for a transport
     * started outside this server, as {@code cairn} starts its HTTP endpoint.
     */
    public io.cairn.spi.transport.ClientIdentities clientIdentities() {
        return identities;
    }

    private final io.cairn.spi.transport.ClientIdentities identities = new io.cairn.spi.transport.ClientIdentities() {
        /**
         * One view for every call without credentials (it was built per call: 1.5 % of a put's
         * allocation): it reads the root's state and the auth store's current revision at each call.
         */
        private volatile Cairn anonymousView;

        @Override
        public Cairn anonymous() {
            Cairn view = anonymousView;
            if (view == null) { // a race builds two equal views; either serves
                view = cairn.as(new io.cairn.server.auth.Caller("", io.cairn.server.auth.Caller.CURRENT));
                anonymousView = view;
            }
            return view;
        }

        @Override
        public Cairn forToken(String token) {
            Objects.requireNonNull(token, "token");
            return cairn.as(authStore.callerOf(token)
                    .orElseThrow(() -> new io.cairn.api.CairnException(io.cairn.api.ErrorCode.INVALID_AUTH_TOKEN)));
        }

        @Override
        public Cairn forCertificateCommonName(String commonName) {
            Objects.requireNonNull(commonName, "commonName");
            return cairn.as(new io.cairn.server.auth.Caller(commonName, io.cairn.server.auth.Caller.CURRENT));
        }

        @Override
        public Cairn unchecked() {
            return cairn;
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.cairn.spi.transport.KeyAccess> keyAccess(
                io.cairn.spi.transport.Credentials credentials) {
            return credentialChecks.keyAccess(credentials);
        }

        @Override
        public java.util.Optional<io.cairn.spi.transport.ServerStats> serverStats() {
            return java.util.Optional.of(node.stats().snapshot(node.memberId(), name, node.leader(), node.term(),
                    node.isLeader(), node.pendingProposals(), watchHub.watcherCount(), watchHub.streamCount(),
                    lessor.count()));
        }
    };

    private static ExecutorService hashingExecutor() {
        AtomicInteger counter = new AtomicInteger();
        return Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cairn-auth-hash-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The bound client URLs (real ports when port 0 was asked), in the order given; empty when embedded only. */
    public List<URI> clientUrls() {
        List<URI> urls = new ArrayList<>();
        for (ClientEndpoint endpoint : endpoints) {
            urls.addAll(endpoint.boundUrls());
        }
        return List.copyOf(urls);
    }

    public long memberId() {
        return memberId;
    }

    public long clusterId() {
        return clusterId;
    }

    public String name() {
        return name;
    }

    /** The bound peer URLs, empty when this member runs without peers. */
    public List<URI> peerUrls() {
        return peers == null || peers.endpoint() == null ? List.of() : peers.endpoint().boundUrls();
    }

    /** Whether this member leads its cluster now. */
    public boolean isLeader() {
        return node.isLeader();
    }

    /**
     * The voters this member, while it leads, would best hand leadership to, the most up to date first
     * (heard from recently, then the highest match index it knows for them); empty when it does not
     * lead. For a graceful stop: MoveLeader to the first.
     */
    public CompletableFuture<List<Long>> leadershipTransferees() {
        return node.transferees();
    }

    /** The error that stopped this member (removed from the cluster, storage failure), or null while it runs. */
    public Throwable failure() {
        return node.failure();
    }

    MemberTable members() {
        return members;
    }

    PeerNetwork peerNetwork() {
        return peers;
    }

    private LocalCairn cairn() {
        return cairn;
    }

    /** Readies the node handled so far: with group commit, fewer than the proposals under load. */
    long readies() {
        return node.readies();
    }

    /** Synced batches written to the Raft log so far. */
    long syncedLogWrites() {
        return node.raftLog().syncedWrites();
    }

    /** The state machine's backend, for tests that stage a crash. */
    Backend stateBackendForTests() {
        return stateBackend;
    }

    RaftNode node() {
        return node;
    }

    /**
     * Graceful stop: closes the endpoints (letting calls in flight finish within their grace),
     * stops the node (requests still pending fail with STOPPED), flushes and closes storage.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ClientEndpoint endpoint : endpoints) {
            try {
                endpoint.close();
            } catch (RuntimeException e) {
                // keep closing the rest
            }
        }
        autoCompactor.close();
        cairn.localMaintenance().close();
        closePeers();
        node.close();
        watchHub.close();
        store.close();
        try {
            stateBackend.flush();
        } finally {
            stateBackend.close();
            raftBackend.close();
            completions.shutdown();
            hashing.shutdown();
        }
    }

    /**
     * Closes without flushing the state machine's unsynced writes, as a crash would leave them
     * (for tests of replay; the Raft log is synced per Ready anyway).
     */
    void closeAbruptly() {
        closed = true;
        endpoints.forEach(ClientEndpoint::close);
        autoCompactor.close();
        cairn.localMaintenance().close();
        closePeers();
        node.close();
        watchHub.close();
        store.close();
        stateBackend.close();
        raftBackend.close();
        completions.shutdown();
        hashing.shutdown();
    }

    private void closePeers() {
        if (peers != null && peers.endpoint() != null) {
            try {
                peers.endpoint().close();
            } catch (RuntimeException e) {
                // keep closing
            }
        }
    }

    private void startEndpoints(Builder b) {
        if (b.clientUrls.isEmpty()) {
            return;
        }
        List<String> transports = b.transports == null ? List.of("grpc") : b.transports;
        ClientEndpointConfig config = new ClientEndpointConfig(b.clientUrls, b.maxRequestBytes,
                b.maxConcurrentStreams, b.clientTls);
        for (String id : transports) {
            TransportProvider provider;
            try {
                provider = TransportProviders.byId(id);
            } catch (IllegalArgumentException e) {
                throw new StartException(e.getMessage(), e);
            }
            try {
                endpoints.add(provider.startClientEndpoint(identities, config));
            } catch (RuntimeException e) {
                throw new StartException("cannot start the " + id + " client endpoint on " + b.clientUrls + ": "
                        + e.getMessage(), e);
            }
        }
        if (b.advertiseClientUrls.isEmpty()) {
            Member old = new Member(memberId, b.name, b.peerUrls.stream().map(URI::toString).toList(),
                    clientUrls().stream().map(URI::toString).toList(), false);
            cairn.self(old);
        }
    }

    /** Publishes this member's attributes and waits a little for them to apply (retrying in the background). */
    private void publishSelf() {
        CompletableFuture<Object> first = node.propose(new RequestCodec.MemberAttributes(memberId, name,
                cairn.self().peerUrls(), cairn.self().clientUrls()));
        try {
            first.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            publish(cairn.self(), 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- identity -----------------------------------------------------------------------------

    /** The member and cluster ids: stored with the log at the first start, read back afterwards. */
    private static long[] identity(BackendRaftStorage log, String name, long memberId, long clusterId, String token) {
        byte[] storedMember = log.identity("member_id");
        byte[] storedCluster = log.identity("cluster_id");
        if (storedMember != null && storedCluster != null) {
            return new long[] {ByteBuffer.wrap(storedMember).getLong(), ByteBuffer.wrap(storedCluster).getLong()};
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("member_id", ByteBuffer.allocate(8).putLong(memberId).array());
        values.put("cluster_id", ByteBuffer.allocate(8).putLong(clusterId).array());
        values.put("name", name.getBytes(StandardCharsets.UTF_8));
        values.put("token", token.getBytes(StandardCharsets.UTF_8));
        log.saveIdentity(values);
        return new long[] {memberId, clusterId};
    }

    /**
     * The id of a member added with MemberAdd: SHA-1 of its sorted peer URLs and the cluster token,
     * etcd's rule without its timestamp, so the new member computes the same id from its own flags
     * when it starts with {@code --initial-cluster-state existing}. (etcd adds the time so the same
     * URLs may be re-added after a removal; here removed ids stay refused, so re-adding needs new URLs.)
     */
    static long addedMemberId(List<String> peerUrls, String token) {
        return memberId("", peerUrls, token);
    }

    /**
     * The cluster id: SHA-1 of the cluster token. etcd also hashes the initial member ids, which a
     * member joining later cannot know from its flags; the token alone keeps what the id is for
     * (clusters with different tokens never accept each other's peer traffic).
     */
    static long clusterIdOf(String token) {
        return clusterId(List.of(), token);
    }

    /** Like etcd's member id: SHA-1 of the sorted peer URLs and the cluster token (and, here, the name). */
    static long memberId(String name, List<String> peerUrls, String token) {
        List<String> sorted = new ArrayList<>(peerUrls);
        sorted.sort(null);
        MessageDigest sha1 = sha1();
        sha1.update(String.join("", sorted).getBytes(StandardCharsets.UTF_8));
        sha1.update(token.getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) 0);
        sha1.update(name.getBytes(StandardCharsets.UTF_8));
        // the Raft engine takes ids in (0, Long.MAX_VALUE]: etcd's are uint64, ours keep 63 bits
        return nonZero(ByteBuffer.wrap(sha1.digest()).getLong() & Long.MAX_VALUE);
    }

    /** Like etcd's cluster id: SHA-1 of the sorted member ids and the cluster token. */
    static long clusterId(List<Long> memberIds, String token) {
        List<Long> sorted = new ArrayList<>(memberIds);
        sorted.sort(Long::compareUnsigned);
        MessageDigest sha1 = sha1();
        for (long id : sorted) {
            sha1.update(ByteBuffer.allocate(8).putLong(id).array());
        }
        sha1.update(token.getBytes(StandardCharsets.UTF_8));
        return nonZero(ByteBuffer.wrap(sha1.digest()).getLong());
    }

    private static long nonZero(long id) {
        return id == 0 ? 1 : id;
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }

    // ---- builder ------------------------------------------------------------------------------

    /** How to start a member; every setter returns this builder. Not thread-safe. */
    public static final class Builder {
        private String name = "default";
        private Path dataDir;
        private String storage = "rocksdb";
        private List<URI> clientUrls = List.of();
        private List<URI> advertiseClientUrls = List.of();
        private List<String> transports;
        private List<URI> peerUrls = List.of(URI.create("http://localhost:2380"));
        private String initialClusterToken = "etcd-cluster";
        private Map<String, List<URI>> initialCluster;
        private InitialClusterState initialClusterState = InitialClusterState.NEW;
        private List<URI> listenPeerUrls = List.of();
        private String peerTransport = "grpc";
        private Optional<TlsConfig> clientTls = Optional.empty();
        private Optional<TlsConfig> peerTls = Optional.empty();
        private PeerEndpointFactory peerEndpoints;
        private long snapshotCount = RaftNode.DEFAULT_SNAPSHOT_COUNT;
        private Path faultInjectionFile;
        private int maxRequestBytes = ClientEndpointConfig.DEFAULT_MAX_REQUEST_BYTES;
        private int maxTxnOps = KvRequestChecks.DEFAULT_MAX_TXN_OPS;
        private String authToken = "simple";
        private int maxConcurrentStreams = ClientEndpointConfig.DEFAULT_MAX_CONCURRENT_STREAMS;
        private java.time.Duration authTokenTtl = java.time.Duration.ofSeconds(300);
        private int passwordIterations = io.cairn.server.auth.Passwords.DEFAULT_ITERATIONS;
        private final Map<String, String> options = new LinkedHashMap<>();
        private long quotaBackendBytes;
        private AutoCompaction autoCompaction = AutoCompaction.OFF;

        private Builder() {}

        /**
         * etcd's {@code --quota-backend-bytes}: the state backend's size past which writes are refused
         * and the NOSPACE alarm raised; 0 (the default) for etcd's 2 GiB, negative for no quota.
         */
        public Builder quotaBackendBytes(long bytes) {
            this.quotaBackendBytes = bytes;
            return this;
        }

        /** etcd's {@code --auto-compaction-mode} and {@code --auto-compaction-retention}; default off. */
        public Builder autoCompaction(AutoCompaction settings) {
            this.autoCompaction = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The member name, default "default". */
        public Builder name(String name) {
            this.name = requireText(name, "name");
            return this;
        }

        /** The data directory (required); created if missing. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The storage provider id, default "rocksdb". */
        public Builder storage(String providerId) {
            this.storage = requireText(providerId, "storage");
            return this;
        }

        /** The client URLs to listen on (port 0: any free port); default none: embedded only. */
        public Builder clientUrls(List<URI> listen) {
            this.clientUrls = List.copyOf(listen);
            return this;
        }

        /** The client URLs the member list shows; default the bound ones. */
        public Builder advertiseClientUrls(List<URI> advertise) {
            this.advertiseClientUrls = List.copyOf(advertise);
            return this;
        }

        /** The transport ids serving the client URLs; default ["grpc"] when client URLs are given. */
        public Builder transports(List<String> ids) {
            this.transports = List.copyOf(ids);
            return this;
        }

        /** The advertised peer URLs (recorded in the member list; a one-member cluster for now). */
        public Builder peerUrls(List<URI> advertised) {
            if (advertised.isEmpty()) {
                throw new IllegalArgumentException("at least one peer URL is needed");
            }
            this.peerUrls = List.copyOf(advertised);
            return this;
        }

        /**
         * etcd's {@code --initial-cluster}: member name → its advertised peer URLs, this member
         * included (its URLs must be those of {@link #peerUrls}). Default: this member alone.
         */
        public Builder initialCluster(Map<String, List<URI>> members) {
            Map<String, List<URI>> copy = new LinkedHashMap<>();
            members.forEach((memberName, urls) -> {
                requireText(memberName, "initial cluster member name");
                if (urls.isEmpty()) {
                    throw new IllegalArgumentException("initial cluster member " + memberName + " has no peer URL");
                }
                copy.put(memberName, List.copyOf(urls));
            });
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("the initial cluster is empty");
            }
            this.initialCluster = copy;
            return this;
        }

        /** etcd's {@code --initial-cluster-state}, default {@link InitialClusterState#NEW}. */
        public Builder initialClusterState(InitialClusterState state) {
            this.initialClusterState = Objects.requireNonNull(state, "state");
            return this;
        }

        /**
         * etcd's {@code --listen-peer-urls}; default the advertised peer URLs when peers are used. A
         * one-member cluster opens them only if the peer transport carries peer traffic.
         */
        public Builder listenPeerUrls(List<URI> listen) {
            this.listenPeerUrls = List.copyOf(listen);
            return this;
        }

        /**
         * TLS of the client endpoints (etcd's {@code --cert-file}, {@code --key-file},
         * {@code --trusted-ca-file}, {@code --client-cert-auth}); empty, the default: plain text.
         */
        public Builder clientTls(Optional<TlsConfig> tls) {
            this.clientTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * TLS between members, both ways (etcd's {@code --peer-cert-file}, {@code --peer-key-file},
         * {@code --peer-trusted-ca-file}, {@code --peer-client-cert-auth}); empty, the default: plain text.
         */
        public Builder peerTls(Optional<TlsConfig> tls) {
            this.peerTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The transport id carrying peer traffic, default "grpc". */
        public Builder peerTransport(String id) {
            this.peerTransport = requireText(id, "peerTransport");
            return this;
        }

        /** etcd's {@code --snapshot-count}: entries applied between snapshots (log compactions), default 10,000. */
        public Builder snapshotCount(long count) {
            if (count <= 0) {
                throw new IllegalArgumentException("snapshotCount must be positive, got " + count);
            }
            this.snapshotCount = count;
            return this;
        }

        /**
         * Tests only ({@code --experimental-fault-injection-file}): the member polls {@code file}
         * for peer faults to inject (frames dropped or delayed per peer; the format is in
         * {@code FaultInjectingPeers}). Never for production.
         */
        public Builder faultInjectionFile(Path file) {
            this.faultInjectionFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Tests: peer endpoints from this factory instead of a transport. */
        Builder peerEndpoints(PeerEndpointFactory factory) {
            this.peerEndpoints = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Entries kept behind a snapshot: etcd's 5,000, fewer when snapshots are taken more often. */
        long catchUpEntries() {
            return Math.min(RaftNode.DEFAULT_CATCH_UP_ENTRIES, snapshotCount / 2);
        }

        Map<String, List<URI>> initialCluster() {
            return initialCluster == null ? Map.of(name, peerUrls) : initialCluster;
        }

        /** A peer endpoint is started for a cluster of several members, a joiner, or when asked for. */
        boolean needsPeers() {
            if (initialCluster().size() > 1 || peerEndpoints != null) {
                return true;
            }
            // one member: etcd listens for peers anyway (members may be added later), when the transport can
            if (listenPeerUrls.isEmpty()) {
                return false;
            }
            try {
                return TransportProviders.byId(peerTransport).carriesPeerTraffic();
            } catch (IllegalArgumentException unknown) {
                return false;
            }
        }

        /** The cluster token the cluster id derives from, default "etcd-cluster". */
        public Builder initialClusterToken(String token) {
            this.initialClusterToken = requireText(token, "initialClusterToken");
            return this;
        }

        /** The largest request accepted, default 1.5 MiB (etcd's). */
        public Builder maxRequestBytes(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxRequestBytes must be positive, got " + max);
            }
            this.maxRequestBytes = max;
            return this;
        }

        /** The most operations in a transaction, default 128 (etcd's). */
        public Builder maxTxnOps(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxTxnOps must be positive, got " + max);
            }
            this.maxTxnOps = max;
            return this;
        }

        /**
         * etcd's {@code --auth-token}: {@code simple} (default) or
         * {@code jwt,pub-key=<pem>,priv-key=<pem>,sign-method=RS256|ES256|...,ttl=5m}.
         *
         * @throws IllegalArgumentException naming what is wrong (checked here: files, keys, options)
         */
        public Builder authToken(String spec) {
            Objects.requireNonNull(spec, "spec");
            this.authToken = spec;
            tokenProvider(); // fail now, naming the option
            return this;
        }

        /** etcd's {@code --max-concurrent-streams}: calls one client connection may hold open, default no limit. */
        public Builder maxConcurrentStreams(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxConcurrentStreams must be positive, got " + max);
            }
            this.maxConcurrentStreams = max;
            return this;
        }

        /** etcd's {@code --auth-token-ttl}: how long an unused simple token lives, default 300 s. */
        public Builder authTokenTtl(java.time.Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("authTokenTtl must be positive, got " + ttl);
            }
            this.authTokenTtl = ttl;
            return this;
        }

        /**
         * PBKDF2 iterations for new password hashes (etcd's {@code --bcrypt-cost} in spirit),
         * default {@link io.cairn.server.auth.Passwords#DEFAULT_ITERATIONS}; tests may lower it.
         */
        public Builder passwordIterations(int iterations) {
            if (iterations < 1000) {
                throw new IllegalArgumentException("passwordIterations must be at least 1000, got " + iterations);
            }
            this.passwordIterations = iterations;
            return this;
        }

        io.cairn.server.auth.TokenProvider tokenProvider() {
            String[] parts = authToken.split(",");
            switch (parts[0]) {
                case "simple" -> {
                    if (parts.length > 1) {
                        throw new IllegalArgumentException("--auth-token simple takes no options, got " + authToken);
                    }
                    return new io.cairn.server.auth.SimpleTokens(authTokenTtl.toNanos(), System::nanoTime);
                }
                case "jwt" -> {
                    Map<String, String> jwtOptions = new LinkedHashMap<>();
                    for (int i = 1; i < parts.length; i++) {
                        int eq = parts[i].indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--auth-token jwt option " + parts[i] + " is not name=value");
                        }
                        jwtOptions.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                    }
                    return io.cairn.server.auth.JwtTokens.fromOptions(jwtOptions,
                            () -> System.currentTimeMillis() / 1000);
                }
                default -> throw new IllegalArgumentException("unknown --auth-token " + parts[0] + " (simple, jwt)");
            }
        }

        /** A storage option ({@code rocksdb.*}, {@code xodus.*}), passed to both backends. */
        public Builder option(String key, String value) {
            options.put(requireText(key, "option key"), Objects.requireNonNull(value, "option value"));
            return this;
        }

        /**
         * Opens storage, replays the log, elects this member (alone, it needs no election timeout),
         * binds the client endpoints, and returns once the member leads and has applied what was
         * committed before.
         *
         * @throws StartException naming the problem: unusable data directory (path and reason),
         *     unknown storage or transport id (with the ids found), an address in use
         */
        public CairnServer start() {
            if (dataDir == null) {
                throw new StartException("no data directory given", null);
            }
            List<URI> own = initialCluster().get(name);
            if (own == null) {
                throw new StartException("couldn't find local name \"" + name + "\" in the initial cluster configuration "
                        + initialCluster(), null);
            }
            if (!new HashSet<>(own).equals(new HashSet<>(peerUrls))) {
                throw new StartException("--initial-cluster has " + name + "=" + own
                        + " but the advertised peer URLs are " + peerUrls, null);
            }
            StorageProvider provider;
            try {
                provider = StorageProviders.byId(storage);
            } catch (IllegalArgumentException e) {
                throw new StartException(e.getMessage(), e);
            }
            Path member = dataDir.resolve("member");
            try {
                Files.createDirectories(member);
            } catch (java.io.IOException | RuntimeException e) {
                throw new StartException("data directory " + dataDir + " is unusable: " + e, e);
            }
            if (!Files.isWritable(member)) {
                throw new StartException("data directory " + dataDir + " is unusable: " + member + " is not writable", null);
            }
            Backend raft = null;
            Backend state = null;
            CairnServer server = null;
            ExecutorService completions = completionExecutor();
            try {
                raft = openBackend(provider, member.resolve("raft"), BackendRaftStorage.KEYSPACES);
                state = openBackend(provider, member.resolve("state"), STATE_KEYSPACES);
                try {
                    server = new CairnServer(this, raft, state, completions);
                } catch (IllegalStateException e) {
                    throw new StartException("data directory " + dataDir + " is unusable: corrupted: " + e.getMessage(), e);
                }
                server.startPeers(this);
                server.node.start();
                try {
                    server.node.firstLeader().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new StartException("the member stopped while starting: " + e.getCause(), e.getCause());
                } catch (TimeoutException e) {
                    throw new StartException("the member elected no leader within 30 s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StartException("interrupted while starting", e);
                }
                server.startEndpoints(this);
                server.publishSelf();
                server.autoCompactor.start();
                return server;
            } catch (RuntimeException e) {
                if (server != null) {
                    server.close();
                } else {
                    if (state != null) {
                        state.close();
                    }
                    if (raft != null) {
                        raft.close();
                    }
                    completions.shutdown();
                }
                throw e instanceof StartException ? e : new StartException("cannot start: " + e.getMessage(), e);
            }
        }

        private Backend openBackend(StorageProvider provider, Path directory, Set<String> keyspaces) {
            try {
                return provider.open(new BackendConfig(directory, keyspaces, options));
            } catch (StorageException e) {
                throw new StartException("data directory " + dataDir + " is unusable: " + directory + ": "
                        + describe(e.reason()) + " (" + e.getMessage() + ")", e);
            }
        }

        private static String describe(StorageException.Reason reason) {
            return switch (reason.name()) {
                case "LOCKED" -> "locked by another process";
                case "FOREIGN" -> "foreign (not a " + "Cairn backend of this storage)";
                case "CORRUPTED" -> "corrupted";
                default -> reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            };
        }

        private static ExecutorService completionExecutor() {
            AtomicInteger counter = new AtomicInteger();
            return Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "cairn-complete-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        private static String requireText(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " is blank");
            }
            return value;
        }
    }
}
