package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.cluster.Member;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.maintenance.AlarmMember;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmResponse;
import io.cairn.api.maintenance.AlarmType;
import io.cairn.api.maintenance.DefragmentResponse;
import io.cairn.api.maintenance.DowngradeInfo;
import io.cairn.api.maintenance.HashKVRequest;
import io.cairn.api.maintenance.HashKVResponse;
import io.cairn.api.maintenance.HashResponse;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.maintenance.MoveLeaderRequest;
import io.cairn.api.maintenance.MoveLeaderResponse;
import io.cairn.api.maintenance.SnapshotResponse;
import io.cairn.api.maintenance.StatusResponse;
import io.cairn.server.mvcc.HashResult;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The member's {@link Maintenance} service: status, alarms and the backend quota (etcd's
 * {@code --quota-backend-bytes} and {@code NOSPACE}), defragmentation, hashes, snapshots, leader
 * transfer.
 *
 * <p>Quota, as etcd: a put, a transaction with a put, or a lease grant that would take the state
 * backend past the quota is refused with {@code etcdserver: mvcc: database space exceeded} and
 * raises the {@code NOSPACE} alarm for this member through the log; while any member's NOSPACE is
 * raised, every member refuses those requests (at apply, so deterministically: {@code RaftNode}),
 * and reads, deletes and compactions go on, until the alarm is disarmed.
 *
 * <p>Threading: thread-safe. Blocking work (defragment, hash, snapshot files) runs on a thread pool
 * of its own, not on the completion executor.
 */
final class LocalMaintenance implements Maintenance {

    /** etcd's default {@code --quota-backend-bytes}: 2 GiB. */
    static final long DEFAULT_QUOTA_BYTES = 2L << 30;
    /** etcd's cost of a key-value beyond its bytes, and of a lease, in the quota. */
    private static final long KV_OVERHEAD = 256, LEASE_OVERHEAD = 64;
    /** etcd streams snapshots in chunks of 32 KiB. */
    static final int SNAPSHOT_CHUNK_BYTES = 32 * 1024;
    private static final long SIZE_REFRESH_NANOS = 100_000_000L;

    private final RaftNode node;
    private final MvccStore store;
    private final Backend stateBackend;
    private final Backend raftBackend;
    private final Executor completions;
    private final MemberTable members;
    private final AlarmTable alarms;
    private final Supplier<ResponseHeader> header;
    private final Supplier<Member> self;
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cairn-maintenance");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger snapshotFiles = new AtomicInteger();
    private volatile long quotaBytes = DEFAULT_QUOTA_BYTES;
    private volatile long cachedSize = -1;
    private volatile long cachedSizeAt;

    LocalMaintenance(RaftNode node, MvccStore store, Backend stateBackend, Backend raftBackend, Executor completions,
                     MemberTable members, AlarmTable alarms, Supplier<ResponseHeader> header, Supplier<Member> self) {
        this.node = node;
        this.store = store;
        this.stateBackend = stateBackend;
        this.raftBackend = raftBackend;
        this.completions = completions;
        this.members = members;
        this.alarms = alarms;
        this.header = header;
        this.self = self;
        deleteLeftoverSnapshots(stateBackend.directory().resolveSibling("snap"));
    }

    /** Snapshot files of client streams a crash interrupted (their process is gone). */
    private static void deleteLeftoverSnapshots(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith("client-")).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // best effort: a leftover file only takes space
        }
    }

    /** etcd's {@code --quota-backend-bytes}: 0 for the default (2 GiB), negative for none. */
    void quotaBytes(long bytes) {
        this.quotaBytes = bytes == 0 ? DEFAULT_QUOTA_BYTES : bytes;
    }

    long quotaBytes() {
        return quotaBytes;
    }

    /** Stops the maintenance threads (a snapshot stream in progress fails). */
    void close() {
        background.shutdownNow();
    }

    // ---- quota --------------------------------------------------------------------------------

    /**
     * etcd's quota check before a request is proposed: refuses, with {@link ErrorCode#NO_SPACE}, a
     * request that takes space while NOSPACE is raised, or that would take the state backend past
     * the quota (then raising NOSPACE for this member through the log).
     */
    void checkQuota(Object request) {
        long quota = quotaBytes;
        if (quota < 0 || !RaftNode.cappedByNoSpace(request)) {
            return;
        }
        if (alarms.isRaised(AlarmType.NOSPACE)) {
            throw new CairnException(ErrorCode.NO_SPACE);
        }
        if (backendSize() + cost(request) <= quota) {
            return;
        }
        node.propose(new AlarmRequest(AlarmRequest.Action.ACTIVATE, self.get().id(), AlarmType.NOSPACE));
        throw new CairnException(ErrorCode.NO_SPACE);
    }

    private long backendSize() {
        long now = System.nanoTime();
        if (cachedSize < 0 || now - cachedSizeAt > SIZE_REFRESH_NANOS) {
            cachedSize = stateBackend.stats().sizeOnDiskBytes();
            cachedSizeAt = now;
        }
        return cachedSize;
    }

    private static long cost(Object request) {
        return switch (request) {
            case PutRequest put -> KV_OVERHEAD + put.key().size() + put.value().size();
            case LeaseGrantRequest grant -> LEASE_OVERHEAD;
            case TxnRequest txn -> Math.max(cost(txn.success()), cost(txn.failure()));
            default -> 0;
        };
    }

    private static long cost(List<RequestOp> ops) {
        long total = 0;
        for (RequestOp op : ops) {
            total += cost((Object) op);
        }
        return total;
    }

    // ---- the service --------------------------------------------------------------------------

    @Override
    public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
        Objects.requireNonNull(request, "request");
        if (request.action() == AlarmRequest.Action.GET) {
            return node.readBarrier().thenApply(v -> new AlarmResponse(header.get(), alarms.list(request.alarm())));
        }
        return node.<List<AlarmMember>>propose(request).thenApply(changed -> {
            cachedSize = -1;
            return new AlarmResponse(header.get(), changed);
        });
    }

    @Override
    public CompletableFuture<StatusResponse> status() {
        return CompletableFuture.supplyAsync(() -> {
            long stateSize = stateBackend.stats().sizeOnDiskBytes();
            long dbSize = stateSize + raftBackend.stats().sizeOnDiskBytes();
            Member me = members.member(self.get().id());
            List<String> errors = new ArrayList<>();
            for (AlarmMember alarm : alarms.list(AlarmType.NONE)) {
                errors.add("memberID:" + Long.toUnsignedString(alarm.memberId()) + " alarm:" + alarm.alarm().name() + " ");
            }
            return new StatusResponse(header.get(), LocalCairn.ETCD_API_VERSION, Math.max(0, dbSize), node.leader(),
                    node.lastIndex(), node.term(), node.appliedIndex(), errors, Math.max(0, dbSize),
                    me != null && me.learner(), "3.5.0", Math.max(0, quotaBytes), DowngradeInfo.NONE);
        }, completions);
    }

    /**
     * Compacts the state backend's files (RocksDB: a full compaction; Xodus: its log GC) on a
     * maintenance thread; reads and writes go on meanwhile. etcd's defragment blocks them instead.
     */
    @Override
    public CompletableFuture<DefragmentResponse> defragment() {
        return CompletableFuture.supplyAsync(() -> {
            stateBackend.compact();
            cachedSize = -1;
            return new DefragmentResponse(header.get());
        }, background);
    }

    /**
     * etcd's {@code Hash}: a CRC-32 of every record of the state machine (keyspaces in name order,
     * keys in order), read from one consistent snapshot. The applied index is left out (as etcd
     * leaves out its consistent index), so members that applied the same entries agree.
     */
    @Override
    public CompletableFuture<HashResponse> hash() {
        return CompletableFuture.supplyAsync(() -> {
            CRC32 crc = new CRC32();
            List<String> keyspaces = new ArrayList<>(CairnServer.STATE_KEYSPACES);
            keyspaces.sort(null);
            long revision;
            try (ReadSnapshot snapshot = stateBackend.snapshot()) {
                revision = store.currentRevision();
                for (String keyspace : keyspaces) {
                    byte[] name = keyspace.getBytes(StandardCharsets.UTF_8);
                    snapshot.scan(keyspace, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
                        if (!MvccStore.isConsistentIndexRecord(keyspace, key)) {
                            crc.update(name);
                            crc.update(key);
                            crc.update(value);
                        }
                        return true;
                    });
                }
            }
            ResponseHeader h = header.get();
            return new HashResponse(new ResponseHeader(h.clusterId(), h.memberId(), revision, h.raftTerm()), crc.getValue());
        }, background);
    }

    @Override
    public CompletableFuture<HashKVResponse> hashKV(HashKVRequest request) {
        Objects.requireNonNull(request, "request");
        return node.readBarrier().thenApply(v -> {
            HashResult result = store.hashKv(request.revision());
            return new HashKVResponse(header.get(), result.hash(), Math.max(0, result.compactRevision()),
                    result.hashRevision());
        });
    }

    @Override
    public Flow.Publisher<SnapshotResponse> snapshot() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            new SnapshotStream(subscriber).start();
        };
    }

    @Override
    public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
        Objects.requireNonNull(request, "request");
        return node.transferLeadership(request.targetId()).thenApply(v -> new MoveLeaderResponse(header.get()));
    }

    // ---- snapshot stream ----------------------------------------------------------------------

    /**
     * One subscriber's snapshot: the state backend's consistent snapshot is written to a file under
     * {@code member/snap} (with its SHA-256 appended, as etcd's stream ends with one), then sent in
     * chunks as the subscriber asks for them; the file is deleted when the stream ends either way.
     * Signals are serialised by the {@code wip} counter (one drain at a time).
     */
    private final class SnapshotStream implements Flow.Subscription {
        private final Flow.Subscriber<? super SnapshotResponse> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean cancelled;
        private volatile boolean ready;
        private volatile Throwable failure;
        private boolean terminated;
        private Path file;
        private FileChannel channel;
        private long remaining;
        private long revision;
        private boolean first = true;

        SnapshotStream(Flow.Subscriber<? super SnapshotResponse> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            try {
                background.execute(this::prepare);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                failure = new CairnException(ErrorCode.STOPPED, e);
                drain();
            }
        }

        private void prepare() {
            try {
                Path dir = stateBackend.directory().resolveSibling("snap");
                Files.createDirectories(dir);
                file = dir.resolve("client-" + ProcessHandle.current().pid() + "-" + snapshotFiles.incrementAndGet() + ".snap");
                List<String> keyspaces = new ArrayList<>(CairnServer.STATE_KEYSPACES);
                keyspaces.sort(null);
                try (ReadSnapshot snapshot = stateBackend.snapshot()) {
                    revision = store.currentRevision();
                    StateSnapshots.writeWithDigest(snapshot, keyspaces, file);
                }
                channel = FileChannel.open(file, StandardOpenOption.READ);
                remaining = channel.size();
            } catch (IOException | RuntimeException e) {
                failure = e instanceof CairnException c ? c
                        : new CairnException(StatusCode.INTERNAL, "cannot take a snapshot: " + e.getMessage(), e);
            }
            ready = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                failure = new IllegalArgumentException("non-positive request " + n + " (Reactive Streams §3.9)");
                ready = true;
            } else {
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }
            execute(this::drain);
        }

        @Override
        public void cancel() {
            cancelled = true;
            execute(this::drain);
        }

        private void execute(Runnable task) {
            try {
                background.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                cancelled = true;
                drain();
            }
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                if (!terminated) {
                    step();
                }
            } while (wip.decrementAndGet() != 0);
        }

        /** Under the drain: sends what demand allows, then ends the stream if it is over. */
        private void step() {
            if (cancelled) {
                finish(null, false);
                return;
            }
            if (!ready) {
                return;
            }
            if (failure != null) {
                finish(failure, true);
                return;
            }
            try {
                while (demand.get() > 0 && remaining > 0 && !cancelled) {
                    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(SNAPSHOT_CHUNK_BYTES, remaining));
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer) < 0) {
                            throw new IOException("snapshot file " + file + " ended early");
                        }
                    }
                    remaining -= buffer.capacity();
                    demand.decrementAndGet();
                    ResponseHeader h = header.get();
                    SnapshotResponse chunk = new SnapshotResponse(
                            new ResponseHeader(h.clusterId(), h.memberId(), revision, h.raftTerm()), remaining,
                            Bytes.of(buffer.array()), first ? LocalCairn.ETCD_API_VERSION : "");
                    first = false;
                    subscriber.onNext(chunk);
                }
                if (remaining == 0 && !cancelled) {
                    finish(null, true);
                }
            } catch (IOException e) {
                finish(new CairnException(StatusCode.INTERNAL, "cannot read the snapshot: " + e.getMessage(), e), true);
            }
        }

        private void finish(Throwable error, boolean signal) {
            terminated = true;
            try {
                if (channel != null) {
                    channel.close();
                }
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // a leftover file in member/snap is harmless
            }
            if (!signal) {
                return;
            }
            if (error == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(error);
            }
        }
    }
}
