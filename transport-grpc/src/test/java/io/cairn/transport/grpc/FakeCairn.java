package io.cairn.transport.grpc;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.KeyValue;
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
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.ResponseOp;
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
import io.cairn.api.lease.LeaseStatus;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.lock.Lock;
import io.cairn.api.maintenance.AlarmRequest;
import io.cairn.api.maintenance.AlarmResponse;
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
import io.cairn.api.watch.Event;
import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Test double for the transport tests only: a single-member, in-memory {@link Cairn} with just enough
 * of etcd's semantics (revisions, history for watches and compaction, leases, one member) to check
 * that requests, answers, streams and errors cross the wire intact. It is not the server: no Raft, no
 * persistence, no lease expiry. Lock, Election and Auth answer UNIMPLEMENTED.
 */
final class FakeCairn implements Cairn {

    static final long CLUSTER_ID = 0xC1A5_7E12_0000_0001L;
    static final long MEMBER_ID = 0x8E9E_05C0_0000_0002L;

    private final TreeMap<Bytes, KeyValue> store = new TreeMap<>();
    /** Every event since the start, in revision order (several per revision for a txn or range delete). */
    private final List<Revisioned> history = new ArrayList<>();
    private final Map<Long, Long> leases = new HashMap<>(); // id → granted ttl
    private final List<FakeWatchStream> watchStreams = new CopyOnWriteArrayList<>();
    private long revision = 1; // etcd starts at 1
    private long compactRevision;
    private long nextLeaseId = 0x7000;

    private record Revisioned(long revision, Event event) {}

    // ---- Cairn ----

    @Override
    public KV kv() {
        return kv;
    }

    @Override
    public Watch watch() {
        return () -> {
            var stream = new FakeWatchStream();
            watchStreams.add(stream);
            return stream;
        };
    }

    @Override
    public Lease lease() {
        return lease;
    }

    @Override
    public Cluster cluster() {
        return cluster;
    }

    @Override
    public Maintenance maintenance() {
        return maintenance;
    }

    @Override
    public Lock lock() {
        return unimplemented(Lock.class);
    }

    @Override
    public Election election() {
        return unimplemented(Election.class);
    }

    @Override
    public Auth auth() {
        return unimplemented(Auth.class);
    }

    @Override
    public void close() {
        watchStreams.forEach(FakeWatchStream::close);
    }

    /** The watch streams opened so far, for tests that look at the transport's demand. */
    List<FakeWatchStream> watchStreams() {
        return watchStreams;
    }

    private synchronized ResponseHeader header() {
        return new ResponseHeader(CLUSTER_ID, MEMBER_ID, revision, 1);
    }

    private static <T> CompletableFuture<T> call(Supplier<T> body) {
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (RuntimeException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T unimplemented(Class<T> service) {
        return (T) Proxy.newProxyInstance(service.getClassLoader(), new Class<?>[] {service}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "unimplemented " + service.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> proxy == args[0];
                };
            }
            var failure = new CairnException(StatusCode.UNIMPLEMENTED, service.getSimpleName() + " is not in FakeCairn");
            if (method.getReturnType() == Flow.Publisher.class) {
                return (Flow.Publisher<Object>) subscriber -> {
                    var stream = new FakeStream<Object>(() -> {});
                    stream.subscribe(subscriber);
                    stream.fail(failure);
                };
            }
            return CompletableFuture.failedFuture(failure);
        });
    }

    // ---- KV ----

    private final KV kv = new KV() {
        @Override
        public CompletableFuture<RangeResponse> range(RangeRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    return doRange(request);
                }
            });
        }

        @Override
        public CompletableFuture<PutResponse> put(PutRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    checkPut(request);
                    long rev = revision + 1;
                    PutResponse response = doPut(request, rev);
                    revision = rev;
                    return response;
                }
            });
        }

        @Override
        public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    requireKey(request.key());
                    long rev = revision + 1;
                    DeleteRangeResponse response = doDelete(request, rev);
                    if (response.deleted() > 0) {
                        revision = rev;
                    }
                    return withHeader(response);
                }
            });
        }

        @Override
        public CompletableFuture<TxnResponse> txn(TxnRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    long rev = revision + 1;
                    int before = history.size();
                    TxnResponse response = doTxn(request, rev);
                    if (history.size() > before) {
                        revision = rev;
                    }
                    return rewriteHeaders(response, header());
                }
            });
        }

        @Override
        public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    if (request.revision() <= compactRevision) {
                        throw new CompactedException(compactRevision);
                    }
                    if (request.revision() > revision) {
                        throw new CairnException(ErrorCode.FUTURE_REVISION);
                    }
                    compactRevision = request.revision();
                    return new CompactionResponse(header());
                }
            });
        }
    };

    private static void requireKey(Bytes key) {
        if (key.isEmpty()) {
            throw new CairnException(ErrorCode.EMPTY_KEY);
        }
    }

    private void checkPut(PutRequest request) {
        requireKey(request.key());
        if (request.ignoreValue() && !request.value().isEmpty()) {
            throw new CairnException(ErrorCode.VALUE_PROVIDED);
        }
        if (request.lease() != 0 && !leases.containsKey(request.lease())) {
            throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
        }
    }

    private NavigableMap<Bytes, KeyValue> snapshotAt(long rev) {
        if (rev == 0 || rev == revision) {
            return store;
        }
        if (rev > revision) {
            throw new CairnException(ErrorCode.FUTURE_REVISION);
        }
        if (rev < compactRevision) {
            throw new CompactedException(compactRevision);
        }
        TreeMap<Bytes, KeyValue> past = new TreeMap<>();
        for (Revisioned entry : history) {
            if (entry.revision() > rev) {
                break;
            }
            if (entry.event().type() == Event.Type.PUT) {
                past.put(entry.event().kv().key(), entry.event().kv());
            } else {
                past.remove(entry.event().kv().key());
            }
        }
        return past;
    }

    private static List<KeyValue> inRange(NavigableMap<Bytes, KeyValue> map, KeyRange range) {
        if (range.isSingleKey()) {
            KeyValue kv = map.get(range.key());
            return kv == null ? List.of() : List.of(kv);
        }
        List<KeyValue> found = new ArrayList<>();
        for (KeyValue kv : map.tailMap(range.key(), true).values()) {
            if (!range.contains(kv.key())) {
                break;
            }
            found.add(kv);
        }
        return found;
    }

    private RangeResponse doRange(RangeRequest request) {
        requireKey(request.key());
        List<KeyValue> found = new ArrayList<>(inRange(snapshotAt(request.revision()), request.keyRange()));
        long count = found.size();
        found.removeIf(kv -> (request.minModRevision() > 0 && kv.modRevision() < request.minModRevision())
                || (request.maxModRevision() > 0 && kv.modRevision() > request.maxModRevision())
                || (request.minCreateRevision() > 0 && kv.createRevision() < request.minCreateRevision())
                || (request.maxCreateRevision() > 0 && kv.createRevision() > request.maxCreateRevision()));
        Comparator<KeyValue> order = switch (request.sortTarget()) {
            case KEY -> Comparator.comparing(KeyValue::key);
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> Comparator.comparing(KeyValue::value);
        };
        if (request.sortOrder() == RangeRequest.SortOrder.DESCEND) {
            order = order.reversed();
        }
        found.sort(order);
        boolean more = request.limit() > 0 && found.size() > request.limit();
        if (more) {
            found = found.subList(0, (int) request.limit());
        }
        if (request.countOnly()) {
            found = List.of();
        } else if (request.keysOnly()) {
            found = found.stream().map(kv -> new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(),
                    kv.version(), Bytes.EMPTY, kv.lease())).toList();
        }
        return new RangeResponse(header(), found, more, count);
    }

    private PutResponse doPut(PutRequest request, long rev) {
        KeyValue previous = store.get(request.key());
        if ((request.ignoreValue() || request.ignoreLease()) && previous == null) {
            throw new CairnException(ErrorCode.KEY_NOT_FOUND);
        }
        Bytes value = request.ignoreValue() ? previous.value() : request.value();
        long lease = request.ignoreLease() ? previous.lease() : request.lease();
        KeyValue next = new KeyValue(request.key(), previous == null ? rev : previous.createRevision(), rev,
                previous == null ? 1 : previous.version() + 1, value, lease);
        store.put(request.key(), next);
        record(rev, new Event(Event.Type.PUT, next, Optional.ofNullable(previous)));
        return new PutResponse(new ResponseHeader(CLUSTER_ID, MEMBER_ID, rev, 1),
                request.prevKv() ? Optional.ofNullable(previous) : Optional.empty());
    }

    private DeleteRangeResponse doDelete(DeleteRangeRequest request, long rev) {
        List<KeyValue> doomed = inRange(store, request.keyRange());
        for (KeyValue kv : doomed) {
            store.remove(kv.key());
            record(rev, new Event(Event.Type.DELETE, new KeyValue(kv.key(), 0, rev, 0, Bytes.EMPTY, 0), Optional.of(kv)));
        }
        return new DeleteRangeResponse(header(), doomed.size(), request.prevKv() ? doomed : List.of());
    }

    private DeleteRangeResponse withHeader(DeleteRangeResponse response) {
        return new DeleteRangeResponse(header(), response.deleted(), response.prevKvs());
    }

    private TxnResponse doTxn(TxnRequest request, long rev) {
        boolean succeeded = request.compare().stream().allMatch(this::holds);
        List<ResponseOp> responses = new ArrayList<>();
        for (RequestOp op : succeeded ? request.success() : request.failure()) {
            responses.add(switch (op) {
                case RangeRequest range -> doRange(range);
                case PutRequest put -> {
                    checkPut(put);
                    yield doPut(put, rev);
                }
                case DeleteRangeRequest delete -> doDelete(delete, rev);
                case TxnRequest txn -> doTxn(txn, rev);
            });
        }
        return new TxnResponse(header(), succeeded, responses);
    }

    private static TxnResponse rewriteHeaders(TxnResponse response, ResponseHeader header) {
        List<ResponseOp> ops = new ArrayList<>();
        for (ResponseOp op : response.responses()) {
            ops.add(switch (op) {
                case RangeResponse r -> new RangeResponse(header, r.kvs(), r.more(), r.count());
                case PutResponse p -> new PutResponse(header, p.prevKv());
                case DeleteRangeResponse d -> new DeleteRangeResponse(header, d.deleted(), d.prevKvs());
                case TxnResponse t -> rewriteHeaders(t, header);
            });
        }
        return new TxnResponse(header, response.succeeded(), ops);
    }

    private boolean holds(Compare compare) {
        List<KeyValue> kvs = inRange(store, compare.keyRange());
        if (kvs.isEmpty() && compare.keyRange().isSingleKey()) {
            kvs = List.of(new KeyValue(compare.key(), 0, 0, 0, Bytes.EMPTY, 0));
        }
        for (KeyValue kv : kvs) {
            int sign = switch (compare.target()) {
                case VERSION -> Long.compare(kv.version(), compare.number());
                case CREATE -> Long.compare(kv.createRevision(), compare.number());
                case MOD -> Long.compare(kv.modRevision(), compare.number());
                case LEASE -> Long.compare(kv.lease(), compare.number());
                case VALUE -> kv.value().compareTo(compare.value());
            };
            boolean ok = switch (compare.result()) {
                case EQUAL -> sign == 0;
                case GREATER -> sign > 0;
                case LESS -> sign < 0;
                case NOT_EQUAL -> sign != 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private void record(long rev, Event event) {
        history.add(new Revisioned(rev, event));
        for (FakeWatchStream stream : watchStreams) {
            stream.notify(rev, event);
        }
    }

    // ---- Watch ----

    private record Watcher(long id, WatchCreateRequest request) {
        boolean wants(Event event) {
            return request.keyRange().contains(event.kv().key())
                    && !(event.type() == Event.Type.PUT && request.filters().contains(WatchCreateRequest.Filter.NOPUT))
                    && !(event.type() == Event.Type.DELETE && request.filters().contains(WatchCreateRequest.Filter.NODELETE));
        }

        Event shape(Event event) {
            return request.prevKv() ? event : new Event(event.type(), event.kv(), Optional.empty());
        }
    }

    final class FakeWatchStream extends FakeStream<WatchResponse> implements WatchStream {

        private final Map<Long, Watcher> watchers = new LinkedHashMap<>(); // guarded by FakeCairn.this
        private long nextWatchId;

        FakeWatchStream() {
            super(() -> {});
        }

        @Override
        public void create(WatchCreateRequest request) {
            synchronized (FakeCairn.this) {
                if (!isOpen()) {
                    throw new IllegalStateException("watch stream is closed");
                }
                long id = request.watchId() != 0 ? request.watchId() : nextWatchId++;
                if (request.startRevision() > 0 && request.startRevision() < compactRevision) {
                    emit(new WatchResponse(header(), id, true, true, compactRevision,
                            ErrorCode.COMPACTED.message(), false, List.of()));
                    return;
                }
                if (watchers.containsKey(id)) {
                    emit(new WatchResponse(header(), -1, true, true, 0, "mvcc: duplicate watch ID provided on the WatchStream", false, List.of()));
                    return;
                }
                Watcher watcher = new Watcher(id, request);
                watchers.put(id, watcher);
                emit(new WatchResponse(header(), id, true, false, 0, "", false, List.of()));
                if (request.startRevision() > 0) {
                    for (Revisioned entry : history) {
                        if (entry.revision() >= request.startRevision() && watcher.wants(entry.event())) {
                            emit(new WatchResponse(new ResponseHeader(CLUSTER_ID, MEMBER_ID, entry.revision(), 1), id,
                                    false, false, 0, "", false, List.of(watcher.shape(entry.event()))));
                        }
                    }
                }
            }
        }

        @Override
        public void cancel(long watchId) {
            synchronized (FakeCairn.this) {
                if (!isOpen()) {
                    throw new IllegalStateException("watch stream is closed");
                }
                if (watchers.remove(watchId) != null) {
                    emit(new WatchResponse(header(), watchId, false, true, 0, "", false, List.of()));
                }
            }
        }

        @Override
        public void requestProgress() {
            synchronized (FakeCairn.this) {
                emit(new WatchResponse(header(), -1, false, false, 0, "", false, List.of()));
            }
        }

        @Override
        public void close() {
            complete();
            watchStreams.remove(this);
        }

        /** Called with FakeCairn's lock held, so events reach every stream in revision order. */
        void notify(long rev, Event event) {
            for (Watcher watcher : watchers.values()) {
                if (watcher.wants(event)) {
                    emit(new WatchResponse(new ResponseHeader(CLUSTER_ID, MEMBER_ID, rev, 1), watcher.id(), false,
                            false, 0, "", false, List.of(watcher.shape(event))));
                }
            }
        }
    }

    // ---- Lease ----

    private final Lease lease = new Lease() {
        @Override
        public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    long id = request.id() != 0 ? request.id() : nextLeaseId++;
                    if (leases.containsKey(id)) {
                        throw new CairnException(ErrorCode.LEASE_EXISTS);
                    }
                    long ttl = Math.max(request.ttl(), 2);
                    leases.put(id, ttl);
                    return new LeaseGrantResponse(header(), id, ttl, "");
                }
            });
        }

        @Override
        public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    if (leases.remove(request.id()) == null) {
                        throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
                    }
                    long rev = revision + 1;
                    List<KeyValue> attached = store.values().stream().filter(kv -> kv.lease() == request.id()).toList();
                    for (KeyValue kv : attached) {
                        doDelete(io.cairn.api.kv.DeleteRangeRequest.of(kv.key()), rev);
                    }
                    if (!attached.isEmpty()) {
                        revision = rev;
                    }
                    return new LeaseRevokeResponse(header());
                }
            });
        }

        @Override
        public LeaseKeepAliveStream openKeepAliveStream() {
            class KeepAlives extends FakeStream<LeaseKeepAliveResponse> implements LeaseKeepAliveStream {
                KeepAlives() {
                    super(() -> {});
                }

                @Override
                public void keepAlive(long id) {
                    if (!isOpen()) {
                        throw new IllegalStateException("keep-alive stream is closed");
                    }
                    synchronized (FakeCairn.this) {
                        Long ttl = leases.get(id);
                        emit(new LeaseKeepAliveResponse(header(), id, ttl == null ? 0 : ttl));
                    }
                }

                @Override
                public void close() {
                    complete();
                }
            }
            return new KeepAlives();
        }

        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    Long ttl = leases.get(request.id());
                    List<Bytes> keys = request.keys() && ttl != null
                            ? store.values().stream().filter(kv -> kv.lease() == request.id()).map(KeyValue::key).toList()
                            : List.of();
                    return new LeaseTimeToLiveResponse(header(), request.id(), ttl == null ? -1 : ttl,
                            ttl == null ? 0 : ttl, keys);
                }
            });
        }

        @Override
        public CompletableFuture<LeaseLeasesResponse> leases() {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    return new LeaseLeasesResponse(header(), leases.keySet().stream().sorted().map(LeaseStatus::new).toList());
                }
            });
        }
    };

    // ---- Cluster ----

    static final Member SELF = new Member(MEMBER_ID, "fake", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), false);

    private final Cluster cluster = new Cluster() {
        @Override
        public CompletableFuture<MemberListResponse> memberList(MemberListRequest request) {
            return call(() -> new MemberListResponse(header(), List.of(SELF)));
        }

        @Override
        public CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request) {
            return call(() -> {
                throw new CairnException(ErrorCode.MEMBER_BAD_URLS);
            });
        }

        @Override
        public CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request) {
            return call(() -> {
                throw new CairnException(ErrorCode.MEMBER_NOT_FOUND);
            });
        }

        @Override
        public CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request) {
            return call(() -> {
                throw new CairnException(ErrorCode.MEMBER_NOT_FOUND);
            });
        }

        @Override
        public CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request) {
            return call(() -> {
                throw new CairnException(ErrorCode.MEMBER_NOT_LEARNER);
            });
        }
    };

    // ---- Maintenance ----

    private final Maintenance maintenance = new Maintenance() {
        @Override
        public CompletableFuture<StatusResponse> status() {
            return call(() -> {
                synchronized (FakeCairn.this) {
                    return new StatusResponse(header(), "3.6.0", 4096, MEMBER_ID, revision + 10, 1, revision + 10,
                            List.of(), 2048, false, "3.6.0", 0, DowngradeInfo.NONE);
                }
            });
        }

        @Override
        public CompletableFuture<AlarmResponse> alarm(AlarmRequest request) {
            return call(() -> new AlarmResponse(header(), List.of()));
        }

        @Override
        public CompletableFuture<DefragmentResponse> defragment() {
            return call(() -> new DefragmentResponse(header()));
        }

        @Override
        public CompletableFuture<HashResponse> hash() {
            return call(() -> new HashResponse(header(), 0xFFFF_FFFEL));
        }

        @Override
        public CompletableFuture<HashKVResponse> hashKV(HashKVRequest request) {
            return call(() -> new HashKVResponse(header(), 0x8000_0001L, compactRevision, revision));
        }

        @Override
        public Flow.Publisher<SnapshotResponse> snapshot() {
            return subscriber -> {
                var stream = new FakeStream<SnapshotResponse>(() -> {});
                stream.subscribe(subscriber);
                stream.emit(new SnapshotResponse(header(), 3, Bytes.fromUtf8("snap"), "3.6.0"));
                stream.emit(new SnapshotResponse(header(), 0, Bytes.fromUtf8("shot"), "3.6.0"));
                stream.complete();
            };
        }

        @Override
        public CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request) {
            return call(() -> {
                throw new CairnException(ErrorCode.BAD_LEADER_TRANSFEREE);
            });
        }
    };
}
