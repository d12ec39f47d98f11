package io.cairn.server.lease;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.Experimental;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseGrantResponse;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseLeasesResponse;
import io.cairn.api.lease.LeaseRevokeResponse;
import io.cairn.api.lease.LeaseStatus;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.server.mvcc.WriteResult;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.ScanOrder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * Leases, after etcd's lessor, in two parts.
 *
 * <p><b>The lease table</b> is part of the state machine: {@link #applyGrant}, {@link #applyRevoke}
 * and {@link #applyCheckpoint} are applied in log order on every member, deterministically, and
 * written in the same batch as the {@link MvccStore}'s consistent index (a revoke also deletes
 * the lease's keys, all at one revision). It is kept in the {@link #KEYSPACE} keyspace of the
 * store's backend and loaded into memory at {@link #open} (its size is the number of leases, not
 * of keys).
 *
 * <p><b>Expiry</b> is not replicated: only the primary (the member whose Raft node leads) tracks
 * deadlines, on the clock its caller passes in. Keep-alives renew deadlines there without going
 * through the log; {@link #expired} tells the primary which leases to revoke, and it proposes the
 * revokes, so the decision reaches every member through the log. {@link #promote} starts tracking
 * (every lease gets its full TTL, or its checkpointed remaining TTL, plus an extension, as etcd
 * does when a new leader takes over), {@link #demote} stops it.
 *
 * <p>Threading: the {@code apply...} methods run on the apply thread; the expiry methods and the
 * reads may run on any thread. All methods are safe to call concurrently.
 */
@Experimental("server internals; checkpoint scheduling and revoke pacing are left to the server loop")
public final class Lessor {

    /** The keyspace the lease table lives in; the backend must have it besides {@link MvccStore#KEYSPACES}. */
    public static final String KEYSPACE = "leases";
    /** The keyspaces the lessor needs: {@link #KEYSPACE}. */
    public static final Set<String> KEYSPACES = Set.of(KEYSPACE);
    /** etcd's {@code MaxLeaseTTL}: 9,000,000,000 seconds. */
    public static final long MAX_TTL_SECONDS = 9_000_000_000L;

    /** A lease as the table holds it. {@code remainingTtl} 0 means no checkpoint. */
    private record Lease(long id, long ttl, long remainingTtl) {}

    private final long minTtlSeconds;
    private final ConcurrentSkipListMap<Long, Lease> leases = new ConcurrentSkipListMap<>();
    /** Deadlines in the caller's nanosecond clock; non-null only while primary. Guarded by this. */
    private Map<Long, Long> deadlines;

    /** How many leases the table holds (counts them: for monitoring, not hot paths). */
    public int count() {
        return leases.size();
    }

    private Lessor(long minTtlSeconds) {
        this.minTtlSeconds = minTtlSeconds;
    }

    /**
     * Loads the lease table from {@code backend}, the backend the {@link MvccStore} is kept in (open
     * the lessor first, then the store with {@code lessor::exists} as its lease check). Every
     * {@code apply...} method takes that store: the lessor writes through it, so its changes share
     * the batch that records the applied index.
     *
     * @param minTtlSeconds the shortest TTL granted (etcd: 1.5 election timeouts, rounded up to
     *     seconds); shorter requests are raised to it
     * @throws IllegalArgumentException if the backend lacks {@link #KEYSPACE} or the minimum is not positive
     */
    public static Lessor open(Backend backend, long minTtlSeconds) {
        Objects.requireNonNull(backend, "backend");
        if (!backend.keyspaces().contains(KEYSPACE)) {
            throw new IllegalArgumentException("the lessor needs keyspace " + KEYSPACE + " but the backend has " + backend.keyspaces());
        }
        if (minTtlSeconds <= 0) {
            throw new IllegalArgumentException("minTtlSeconds must be positive, got " + minTtlSeconds);
        }
        Lessor lessor = new Lessor(minTtlSeconds);
        backend.scan(KEYSPACE, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
            Lease lease = decode(key, value);
            lessor.leases.put(lease.id(), lease);
            return true;
        });
        return lessor;
    }

    /**
     * Reads the lease table again from {@code backend}, after a snapshot from the leader replaced
     * it. A primary gives every lease its full TTL again (this member installs snapshots only as a
     * follower, so it is not primary in practice).
     */
    public synchronized void reload(Backend backend) {
        leases.clear();
        backend.scan(KEYSPACE, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
            Lease lease = decode(key, value);
            leases.put(lease.id(), lease);
            return true;
        });
        if (deadlines != null) {
            deadlines.keySet().retainAll(leases.keySet());
        }
    }

    /** Whether lease {@code id} exists: what {@link MvccStore.Options#leaseExists()} should ask. */
    public boolean exists(long id) {
        return leases.containsKey(id);
    }

    // ---- the replicated lease table ------------------------------------------------------------

    /**
     * Grants a lease. Id 0 means "choose one": the id is derived from {@code raftIndex}, so every
     * member chooses the same (etcd chooses on the proposing member instead; both give unique ids).
     *
     * @throws CairnException {@link ErrorCode#LEASE_EXISTS}, {@link ErrorCode#LEASE_TTL_TOO_LARGE};
     *     the entry still counts as applied
     */
    public WriteResult<LeaseGrantResponse> applyGrant(MvccStore store, long raftIndex, LeaseGrantRequest request) {
        Objects.requireNonNull(request, "request");
        long id = request.id() == 0 ? chooseId(raftIndex) : request.id();
        if (leases.containsKey(id)) {
            store.recordApplied(raftIndex);
            throw new CairnException(ErrorCode.LEASE_EXISTS);
        }
        if (request.ttl() > MAX_TTL_SECONDS) {
            store.recordApplied(raftIndex);
            throw new CairnException(ErrorCode.LEASE_TTL_TOO_LARGE);
        }
        Lease lease = new Lease(id, Math.max(request.ttl(), minTtlSeconds), 0);
        store.recordApplied(raftIndex, batch -> batch.put(KEYSPACE, key(id), encode(lease)));
        leases.put(id, lease);
        return new WriteResult<>(new LeaseGrantResponse(store.currentHeader(), id, lease.ttl(), ""),
                store.currentRevision(), List.of());
    }

    /**
     * Revokes a lease: deletes every key attached to it at one revision and removes it from the
     * table, in one batch. The result's events are the deletions.
     *
     * @throws CairnException {@link ErrorCode#LEASE_NOT_FOUND}; the entry still counts as applied
     */
    public WriteResult<LeaseRevokeResponse> applyRevoke(MvccStore store, long raftIndex, long id) {
        if (!leases.containsKey(id)) {
            store.recordApplied(raftIndex);
            throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
        }
        WriteResult<Long> deleted = store.applyLeaseRevoke(raftIndex, id, batch -> batch.delete(KEYSPACE, key(id)));
        leases.remove(id);
        synchronized (this) {
            if (deadlines != null) {
                deadlines.remove(id);
            }
        }
        return new WriteResult<>(new LeaseRevokeResponse(store.currentHeader()), deleted.revision(), deleted.events());
    }

    /**
     * Records a lease's remaining TTL (etcd's lease checkpoint), so that a new primary does not
     * give it a full TTL again; 0 clears it. A missing lease is ignored, as etcd does.
     */
    public void applyCheckpoint(MvccStore store, long raftIndex, long id, long remainingTtlSeconds) {
        Lease lease = leases.get(id);
        if (lease == null) {
            store.recordApplied(raftIndex);
            return;
        }
        Lease checkpointed = new Lease(id, lease.ttl(), Math.max(0, remainingTtlSeconds));
        store.recordApplied(raftIndex, batch -> batch.put(KEYSPACE, key(id), encode(checkpointed)));
        leases.put(id, checkpointed);
    }

    /** Every lease, by id. */
    public LeaseLeasesResponse leases(MvccStore store) {
        return new LeaseLeasesResponse(store.currentHeader(), leases.keySet().stream().map(LeaseStatus::new).toList());
    }

    // ---- expiry: primary only, not replicated ----------------------------------------------

    /**
     * Makes this member the primary: every lease's deadline becomes {@code nowNanos} plus its
     * remaining TTL (checkpointed, else full) plus {@code extensionNanos}.
     */
    public synchronized void promote(long nowNanos, long extensionNanos) {
        deadlines = new HashMap<>();
        for (Lease lease : leases.values()) {
            long ttl = lease.remainingTtl() > 0 ? lease.remainingTtl() : lease.ttl();
            deadlines.put(lease.id(), nowNanos + extensionNanos + TimeUnit.SECONDS.toNanos(ttl));
        }
    }

    /** Stops tracking deadlines (this member no longer leads). */
    public synchronized void demote() {
        deadlines = null;
    }

    public synchronized boolean isPrimary() {
        return deadlines != null;
    }

    /**
     * A keep-alive: the lease's deadline becomes {@code nowNanos} plus its full TTL.
     *
     * @return the answer, with ttl 0 if the lease does not exist or has already expired (etcd
     *     reports a missing lease that way on the keep-alive stream)
     * @throws IllegalStateException if this member is not the primary (forward to the leader)
     */
    public synchronized LeaseKeepAliveResponse renew(MvccStore store, long id, long nowNanos) {
        requirePrimary();
        settle(nowNanos);
        Lease lease = leases.get(id);
        Long deadline = deadlines.get(id);
        if (lease == null || deadline == null || deadline - nowNanos <= 0) {
            return new LeaseKeepAliveResponse(store.currentHeader(), id, 0);
        }
        deadlines.put(id, nowNanos + TimeUnit.SECONDS.toNanos(lease.ttl()));
        return new LeaseKeepAliveResponse(store.currentHeader(), id, lease.ttl());
    }

    /**
     * The leases whose deadline has passed at {@code nowNanos}, earliest first, at most
     * {@code max} of them: the primary proposes a revoke for each (pacing is the caller's).
     *
     * @throws IllegalStateException if this member is not the primary
     */
    public synchronized List<Long> expired(long nowNanos, int max) {
        requirePrimary();
        settle(nowNanos);
        TreeMap<Long, List<Long>> byDeadline = new TreeMap<>();
        deadlines.forEach((id, deadline) -> {
            if (deadline - nowNanos <= 0) {
                byDeadline.computeIfAbsent(deadline, d -> new ArrayList<>()).add(id);
            }
        });
        List<Long> due = new ArrayList<>();
        for (List<Long> ids : byDeadline.values()) {
            ids.sort(null);
            for (Long id : ids) {
                if (due.size() == max) {
                    return due;
                }
                due.add(id);
            }
        }
        return due;
    }

    /**
     * The remaining time of a lease, etcd's {@code LeaseTimeToLive}: ttl -1 if it does not exist.
     *
     * @throws IllegalStateException if this member is not the primary (only it knows deadlines)
     */
    public synchronized LeaseTimeToLiveResponse timeToLive(MvccStore store, LeaseTimeToLiveRequest request, long nowNanos) {
        requirePrimary();
        settle(nowNanos);
        Lease lease = leases.get(request.id());
        if (lease == null) {
            return new LeaseTimeToLiveResponse(store.currentHeader(), request.id(), -1, 0, List.of());
        }
        long remaining = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(deadlines.get(request.id()) - nowNanos));
        List<Bytes> keys = request.keys() ? store.keysOfLease(request.id()) : List.of();
        return new LeaseTimeToLiveResponse(store.currentHeader(), request.id(), remaining, lease.ttl(), keys);
    }

    /**
     * Brings the deadlines in line with the table: a lease granted while primary starts its TTL the
     * first time the clock is seen after the grant; a revoked one is forgotten.
     */
    private void settle(long nowNanos) {
        deadlines.keySet().retainAll(leases.keySet());
        for (Lease lease : leases.values()) {
            deadlines.putIfAbsent(lease.id(), nowNanos + TimeUnit.SECONDS.toNanos(lease.ttl()));
        }
    }

    private void requirePrimary() {
        if (deadlines == null) {
            throw new IllegalStateException("this member is not the primary lessor; forward the request to the leader");
        }
    }

    // ---- encoding -----------------------------------------------------------------------------

    private long chooseId(long raftIndex) {
        // a bijective mix of the index, so ids look random but are the same on every member
        long candidate = raftIndex;
        while (true) {
            long z = candidate * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            long id = (z ^ (z >>> 31)) & Long.MAX_VALUE;
            if (id != 0 && !leases.containsKey(id)) {
                return id;
            }
            candidate++;
        }
    }

    private static byte[] key(long id) {
        return longBytes(id ^ Long.MIN_VALUE, 8);
    }

    private static byte[] encode(Lease lease) {
        byte[] out = new byte[16];
        System.arraycopy(longBytes(lease.ttl(), 8), 0, out, 0, 8);
        System.arraycopy(longBytes(lease.remainingTtl(), 8), 0, out, 8, 8);
        return out;
    }

    private static Lease decode(byte[] key, byte[] value) {
        if (key.length != 8 || value.length != 16) {
            throw new IllegalStateException("corrupted lease record: key " + key.length + " bytes, value " + value.length);
        }
        return new Lease(readLong(key, 0) ^ Long.MIN_VALUE, readLong(value, 0), readLong(value, 8));
    }

    private static byte[] longBytes(long value, int length) {
        byte[] out = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }

    private static long readLong(byte[] in, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (in[offset + i] & 0xFF);
        }
        return value;
    }
}
