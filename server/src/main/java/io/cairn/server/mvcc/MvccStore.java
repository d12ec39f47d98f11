package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.Experimental;
import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.kv.CompactionResponse;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.watch.Event;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.KeyValuePair;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ReadView;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The multi-version key-value store with etcd v3 semantics: the state machine that committed Raft
 * entries are applied to, kept wholly on a {@link Backend} (no in-memory index of keys, so opening
 * takes the same time and heap whatever the number of keys). Layout: {@code server/MVCC.md}.
 *
 * <h2>Revisions</h2>
 * An empty store is at revision 1. Every write (put, delete, transaction, lease revoke) that
 * changes at least one key takes the next revision; its changes are numbered 0, 1, ... within it
 * (the sub revision). A write that changes nothing (a read-only transaction, a delete of nothing, a
 * rejected request) leaves the revision alone.
 *
 * <h2>Writes: deterministic, in log order</h2>
 * Every {@code apply...} method takes the Raft index of the entry being applied. It must be greater
 * than {@link #consistentIndex()} (after a restart, skip entries up to it: they are applied
 * already); it is written in the same {@link WriteBatch} as the entry's changes, with
 * {@link Durability#NOT_SYNCED} (the Raft log is the write-ahead log). A request etcd rejects fails
 * with etcd's {@link CairnException}; the entry still counts as applied (the consistent index moves)
 * and nothing else changes, the same on every member.
 *
 * <p>Threading: the {@code apply...} methods and {@link #recordApplied} are serialised on the
 * store (call them from the apply loop); reads ({@link #range}, {@link #readTxn},
 * {@link #forEachEvent}, {@link #hashKv}, {@link #keysOfLease}) may run on any thread concurrently
 * with them, each on its own consistent {@link ReadSnapshot}.
 *
 * <p>Failure: a {@link io.cairn.spi.storage.StorageException} from the backend leaves the store in
 * an unknown state; close it, reopen the backend and the store, and replay the log from
 * {@link #consistentIndex()}.
 */
@Experimental("server internals; the apply loop and watch hub will shape it further")
public final class MvccStore implements AutoCloseable {

    /** The keyspaces the state-machine backend must be opened with (it may have more). */
    public static final Set<String> KEYSPACES =
            Set.of(MvccCodec.KV_BY_KEY, MvccCodec.KV_BY_REV, MvccCodec.LEASE_KEYS, MvccCodec.META);

    /**
     * How the store behaves.
     *
     * @param leaseExists whether a lease id is granted, asked for every put with a lease (etcd
     *     answers {@link ErrorCode#LEASE_NOT_FOUND} otherwise); called on the apply thread
     * @param maxTxnOps etcd's {@code --max-txn-ops}
     * @param compactionBatchSize revision-index entries removed per write batch of a compaction
     * @param headers builds the header of a response from the store revision (the server adds
     *     cluster id, member id and Raft term); called on the calling thread
     */
    public record Options(LongPredicate leaseExists, int maxTxnOps, int compactionBatchSize,
                          LongFunction<ResponseHeader> headers) {
        /** @throws IllegalArgumentException if a number is not positive */
        public Options {
            Objects.requireNonNull(leaseExists, "leaseExists");
            Objects.requireNonNull(headers, "headers");
            if (maxTxnOps <= 0 || compactionBatchSize <= 0) {
                throw new IllegalArgumentException("maxTxnOps and compactionBatchSize must be positive, got "
                        + maxTxnOps + " and " + compactionBatchSize);
            }
        }

        /** etcd's defaults, with lease ids checked by {@code leaseExists} and headers carrying only the revision. */
        public static Options defaults(LongPredicate leaseExists) {
            return new Options(leaseExists, KvRequestChecks.DEFAULT_MAX_TXN_OPS, 1000,
                    revision -> new ResponseHeader(0, 0, revision, 0));
        }

        public Options withCompactionBatchSize(int size) {
            return new Options(leaseExists, maxTxnOps, size, headers);
        }

        public Options withMaxTxnOps(int max) {
            return new Options(leaseExists, max, compactionBatchSize, headers);
        }

        public Options withHeaders(LongFunction<ResponseHeader> headers) {
            return new Options(leaseExists, maxTxnOps, compactionBatchSize, headers);
        }
    }

    private final Backend backend;
    private final Options options;
    private final Object applyLock = new Object();
    // Write-held by restore() while a snapshot rewrites the backend; read-held only to take a read snapshot.
    private final ReentrantReadWriteLock contentsLock = new ReentrantReadWriteLock();

    // Mirrors of the meta keyspace, for cheap accessors; written only under applyLock after the
    // batch that stores them. Reads take their values from their snapshot instead.
    private volatile long currentRevision;
    private volatile long compactRevision;
    private volatile long consistentIndex;
    private volatile boolean closed;

    private MvccStore(Backend backend, Options options) {
        this.backend = backend;
        this.options = options;
    }

    /**
     * Opens the store kept in {@code backend} (an empty backend is an empty store at revision 1),
     * finishing first any compaction a crash interrupted. The backend stays the caller's: closing
     * the store does not close it.
     *
     * @throws IllegalArgumentException if the backend lacks one of {@link #KEYSPACES}
     * @throws IllegalStateException if the backend holds a newer or unreadable layout
     */
    public static MvccStore open(Backend backend, Options options) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(options, "options");
        if (!backend.keyspaces().containsAll(KEYSPACES)) {
            throw new IllegalArgumentException("the MVCC store needs keyspaces " + KEYSPACES + " but the backend has "
                    + backend.keyspaces());
        }
        MvccStore store = new MvccStore(backend, options);
        store.load();
        return store;
    }

    private void load() {
        Meta meta = Meta.read(backend);
        if (meta.format == 0) {
            backend.write(new WriteBatch().put(MvccCodec.META, MvccCodec.META_FORMAT,
                    MvccCodec.longBytes(MvccCodec.FORMAT_VERSION)), Durability.NOT_SYNCED);
        } else if (meta.format != MvccCodec.FORMAT_VERSION) {
            throw new IllegalStateException("the MVCC store has layout format " + meta.format
                    + "; this version reads format " + MvccCodec.FORMAT_VERSION);
        }
        currentRevision = meta.revision;
        consistentIndex = meta.consistentIndex;
        compactRevision = meta.compactScheduled;
        if (meta.compactScheduled > meta.compactFinished) {
            // a crash interrupted this compaction; finish it before anyone reads (etcd does the same)
            removeCompacted(meta.compactFinished, meta.compactScheduled);
        }
    }

    /** Writes a snapshot's contents into the store's backend (see {@link #restore}). */
    @FunctionalInterface
    public interface ContentsReplacement<E extends Exception> {
        void replace() throws E;
    }

    /**
     * Replaces the store's contents with a snapshot from the leader: runs {@code replacement},
     * which rewrites the backend's keyspaces (the whole MVCC history the leader holds, not only
     * the latest state), then reads the store's state again. The node's loop thread, between two
     * applied entries. Reads that start meanwhile wait for it to end: the replacement takes
     * several batches, and a read snapshot taken between them would see half of it (a watcher
     * catching up from storage would skip the revisions not yet written, silently).
     *
     * @throws E what {@code replacement} throws; the store is then in an unknown state (close it)
     */
    public <E extends Exception> void restore(ContentsReplacement<E> replacement) throws E {
        Objects.requireNonNull(replacement, "replacement");
        synchronized (applyLock) {
            contentsLock.writeLock().lock();
            try {
                replacement.replace();
                load();
            } finally {
                contentsLock.writeLock().unlock();
            }
        }
    }

    /** A consistent snapshot of the backend, never one taken while {@link #restore} rewrites it. */
    private ReadSnapshot readSnapshot() {
        contentsLock.readLock().lock();
        try {
            return backend.snapshot();
        } finally {
            contentsLock.readLock().unlock();
        }
    }

    /**
     * For a restored snapshot that starts a new Raft log: sets the consistent index of the store
     * kept in {@code backend} (closed, not opened by a store) back to 0, so that every entry of the
     * new log is applied; revisions and keys stay as they are.
     */
    public static void resetConsistentIndex(Backend backend) {
        backend.write(new WriteBatch().put(MvccCodec.META, MvccCodec.META_CONSISTENT_INDEX, MvccCodec.longBytes(0)),
                Durability.SYNCED);
    }

    /**
     * The current revision if a record of the state backend (as a snapshot streams it) is the one
     * holding it, else -1: lets a tool read a snapshot's revision without opening a store.
     */
    public static long revisionOfRecord(String keyspace, byte[] key, byte[] value) {
        if (MvccCodec.META.equals(keyspace) && Arrays.equals(MvccCodec.META_REVISION, key) && value.length == 8) {
            return MvccCodec.getLong(value, 0);
        }
        return -1;
    }

    /** Whether a record of the state backend is the consistent index, which a whole-storage hash leaves out. */
    public static boolean isConsistentIndexRecord(String keyspace, byte[] key) {
        return MvccCodec.META.equals(keyspace) && Arrays.equals(MvccCodec.META_CONSISTENT_INDEX, key);
    }

    // ---- accessors -------------------------------------------------------------------------

    /** The revision of the newest write, 1 for an empty store. */
    public long currentRevision() {
        return currentRevision;
    }

    /** The revision the store was compacted to, {@code -1} if it never was. Reads below it fail. */
    public long compactRevision() {
        return compactRevision;
    }

    /** The Raft index of the last entry applied; 0 for a new store. Replay the log after it. */
    public long consistentIndex() {
        return consistentIndex;
    }

    // ---- reads -----------------------------------------------------------------------------

    /**
     * A range read on a consistent snapshot, with etcd's semantics: revision 0 reads the newest
     * state; filters, sort, limit, {@code more} and {@code count} as etcd's {@code executeRange};
     * the header carries the current revision. {@code serializable} is the caller's business
     * (which member state to read); the store always reads its own.
     *
     * @throws CairnException {@link ErrorCode#EMPTY_KEY}; {@link ErrorCode#FUTURE_REVISION} for a
     *     revision above the current one; {@link CompactedException} for one below the compact revision
     */
    public RangeResponse range(RangeRequest request) {
        KvRequestChecks.checkRange(request);
        checkOpen();
        try (ReadSnapshot snapshot = readSnapshot()) {
            Execution execution = readingExecution(snapshot);
            RangeResponse response = execution.range(request);
            return withHeader(response, header(execution.beginRevision));
        }
    }

    /**
     * A read-only transaction (every top-level operation a range) on a consistent snapshot, without
     * going through the log, as etcd serves them.
     *
     * @throws IllegalArgumentException if the transaction writes
     * @throws CairnException as {@link #applyTxn}
     */
    public TxnResponse readTxn(TxnRequest request) {
        KvRequestChecks.checkTxn(request, options.maxTxnOps());
        if (!KvRequestChecks.isReadOnly(request)) {
            throw new IllegalArgumentException("readTxn takes read-only transactions; this one writes");
        }
        checkOpen();
        try (ReadSnapshot snapshot = readSnapshot()) {
            Execution execution = readingExecution(snapshot);
            TxnResponse response = execution.txn(request, options.leaseExists());
            return (TxnResponse) Responses.restamp(response, header(execution.beginRevision));
        }
    }

    /**
     * Visits the events of revisions {@code [fromRevision, toRevision]} in revision order, as the
     * watch hub replays history, on one consistent snapshot, until {@code visitor} returns false.
     * A put's event carries the key as written; a delete's carries the key with the delete's
     * revision as mod revision. With {@code prevKv}, each event carries the key's previous version
     * when it existed and is not compacted away.
     *
     * @throws CompactedException if {@code fromRevision} is below the compact revision
     * @throws IllegalArgumentException if {@code fromRevision < 1}
     */
    public void forEachEvent(long fromRevision, long toRevision, boolean prevKv, Predicate<Event> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (fromRevision < 1) {
            throw new IllegalArgumentException("fromRevision must be at least 1, got " + fromRevision);
        }
        checkOpen();
        try (ReadSnapshot snapshot = readSnapshot()) {
            Meta meta = Meta.read(snapshot);
            if (fromRevision < meta.compactScheduled) {
                throw new CompactedException(meta.compactScheduled);
            }
            if (toRevision < fromRevision) {
                return;
            }
            byte[] end = toRevision == Long.MAX_VALUE ? null : MvccCodec.revisionKey(toRevision + 1, 0);
            snapshot.scan(MvccCodec.KV_BY_REV, MvccCodec.revisionKey(fromRevision, 0), end, ScanOrder.ASCENDING, 0,
                    (revisionKey, entry) -> {
                        Event event = event(snapshot, revisionKey, entry, prevKv);
                        return event == null || visitor.test(event);
                    });
        }
    }

    private static Event event(ReadView view, byte[] revisionKey, byte[] entry, boolean withPrevKv) {
        long main = MvccCodec.revisionKeyMain(revisionKey);
        long sub = MvccCodec.revisionKeySub(revisionKey);
        byte[] key = MvccCodec.revisionEntryKey(entry);
        Optional<KeyValue> prev = Optional.empty();
        long prevMain = MvccCodec.revisionEntryPrevMain(entry);
        if (withPrevKv && prevMain != 0) {
            long prevSub = MvccCodec.revisionEntryPrevSub(entry);
            byte[] record = view.get(MvccCodec.KV_BY_KEY, MvccCodec.versionKey(key, prevMain, prevSub));
            if (record != null && !MvccCodec.isTombstone(record)) {
                prev = Optional.of(new StoredVersion(key, prevMain, prevSub, record).toKeyValue());
            }
        }
        if (MvccCodec.revisionEntryType(entry) == MvccCodec.TYPE_DELETE) {
            return new Event(Event.Type.DELETE, new StoredVersion(key, main, sub, MvccCodec.TOMBSTONE).toKeyValue(), prev);
        }
        byte[] record = view.get(MvccCodec.KV_BY_KEY, MvccCodec.versionKey(key, main, sub));
        if (record == null) {
            // superseded within the compact revision itself; etcd's replay does not see it either
            return null;
        }
        return new Event(Event.Type.PUT, new StoredVersion(key, main, sub, record).toKeyValue(), prev);
    }

    /**
     * A deterministic hash of every version kept at or below {@code revision} (0: the current
     * revision), after etcd's {@code HashKV}: members with the same history and compaction
     * report the same hash.
     *
     * @throws CairnException {@link ErrorCode#FUTURE_REVISION}; {@link CompactedException} for a
     *     revision below the compact revision
     */
    public HashResult hashKv(long revision) {
        checkOpen();
        try (ReadSnapshot snapshot = readSnapshot()) {
            Meta meta = Meta.read(snapshot);
            if (revision > meta.revision) {
                throw new CairnException(ErrorCode.FUTURE_REVISION);
            }
            if (revision > 0 && revision < meta.compactScheduled) {
                throw new CompactedException(meta.compactScheduled);
            }
            long hashRevision = revision == 0 ? meta.revision : revision;
            CRC32C crc = new CRC32C();
            crc.update(MvccCodec.KV_BY_KEY.getBytes(StandardCharsets.US_ASCII));
            byte[] length = new byte[8];
            snapshot.scan(MvccCodec.KV_BY_KEY, null, null, ScanOrder.ASCENDING, 0, (versionKey, record) -> {
                if (MvccCodec.mainOf(versionKey, MvccCodec.prefixLength(versionKey)) <= hashRevision) {
                    MvccCodec.putLong(length, 0, ((long) versionKey.length << 32) | record.length);
                    crc.update(length);
                    crc.update(versionKey);
                    crc.update(record);
                }
                return true;
            });
            return new HashResult(crc.getValue(), meta.compactScheduled, hashRevision);
        }
    }

    /** The keys attached to {@code lease} now, in key order (for the lessor). */
    public List<Bytes> keysOfLease(long lease) {
        checkOpen();
        try (ReadSnapshot snapshot = readSnapshot()) {
            return leaseKeys(snapshot, lease).stream().map(Bytes::of).toList();
        }
    }

    private static List<byte[]> leaseKeys(ReadView view, long lease) {
        List<byte[]> keys = new ArrayList<>();
        view.scan(MvccCodec.LEASE_KEYS, MvccCodec.leaseKeysPrefix(lease), MvccCodec.leaseKeysEnd(lease),
                ScanOrder.ASCENDING, 0, (k, v) -> keys.add(Arrays.copyOfRange(k, 8, k.length)));
        return keys;
    }

    // ---- writes ----------------------------------------------------------------------------

    /**
     * Applies a put (etcd's {@code Put}).
     *
     * @throws CairnException {@link ErrorCode#EMPTY_KEY}, {@link ErrorCode#VALUE_PROVIDED},
     *     {@link ErrorCode#LEASE_PROVIDED}, {@link ErrorCode#LEASE_NOT_FOUND},
     *     {@link ErrorCode#KEY_NOT_FOUND} (ignore_value or ignore_lease on a missing key)
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public WriteResult<PutResponse> applyPut(long raftIndex, PutRequest request) {
        Objects.requireNonNull(request, "request");
        return write(raftIndex, execution -> {
            KvRequestChecks.checkPut(request);
            if (request.lease() != 0 && !options.leaseExists().test(request.lease())) {
                throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
            }
            return execution.put(request);
        });
    }

    /**
     * Applies a delete of a key or range (etcd's {@code DeleteRange}); deleting nothing changes nothing.
     *
     * @throws CairnException {@link ErrorCode#EMPTY_KEY}
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public WriteResult<DeleteRangeResponse> applyDeleteRange(long raftIndex, DeleteRangeRequest request) {
        Objects.requireNonNull(request, "request");
        return write(raftIndex, execution -> {
            KvRequestChecks.checkDeleteRange(request);
            return execution.deleteRange(request);
        });
    }

    /**
     * Applies a transaction (etcd's {@code Txn}): every compare, nested ones included, is evaluated
     * on the state before the transaction; then the chosen branches' operations are checked (a
     * range's revision, a put's ignore flags and lease) and run in order, each read seeing the
     * transaction's earlier writes; all changes share one revision, which every header carries.
     *
     * @throws CairnException {@link KvRequestChecks#checkTxn}'s errors; an operation's error
     *     ({@link ErrorCode#FUTURE_REVISION}, {@link CompactedException}, {@link ErrorCode#KEY_NOT_FOUND},
     *     {@link ErrorCode#LEASE_NOT_FOUND}), in which case nothing of the transaction is applied
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public WriteResult<TxnResponse> applyTxn(long raftIndex, TxnRequest request) {
        Objects.requireNonNull(request, "request");
        return write(raftIndex, execution -> {
            KvRequestChecks.checkTxn(request, options.maxTxnOps());
            return execution.txn(request, options.leaseExists());
        });
    }

    /**
     * Deletes every key attached to {@code lease}, all at one revision (what a lease revoke or
     * expiry does to the key space), and detaches them. {@code sameBatch}, if not null, adds the
     * lessor's own writes (the lease record's removal) to the same atomic batch. The response is
     * the number of keys deleted.
     *
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public WriteResult<Long> applyLeaseRevoke(long raftIndex, long lease, Consumer<WriteBatch> sameBatch) {
        return write(raftIndex, execution -> {
            List<byte[]> keys = leaseKeys(backend, lease);
            for (byte[] key : keys) {
                execution.delete(key);
            }
            if (sameBatch != null) {
                sameBatch.accept(execution.batch);
            }
            return (long) keys.size();
        });
    }

    /**
     * Compacts the history at {@code revision} (etcd's {@code Compact}, physically and at once):
     * every version superseded at or before it, and every deletion at or before it, is removed, as
     * are the revision-index entries below it; reads below it fail afterwards. The work goes in
     * batches of {@link Options#compactionBatchSize()}; the compaction is recorded first, so a crash
     * between batches is finished by the next {@link #open}.
     *
     * @throws CompactedException if {@code revision} is not above the compact revision
     * @throws CairnException {@link ErrorCode#FUTURE_REVISION} if it is above the current revision
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public WriteResult<CompactionResponse> applyCompaction(long raftIndex, long revision) {
        synchronized (applyLock) {
            checkIndex(raftIndex);
            long previous = compactRevision;
            if (revision <= previous) {
                recordApplied(raftIndex);
                throw new CompactedException(Math.max(previous, 0));
            }
            if (revision > currentRevision) {
                recordApplied(raftIndex);
                throw new CairnException(ErrorCode.FUTURE_REVISION);
            }
            backend.write(new WriteBatch()
                    .put(MvccCodec.META, MvccCodec.META_COMPACT_SCHEDULED, MvccCodec.longBytes(revision))
                    .put(MvccCodec.META, MvccCodec.META_CONSISTENT_INDEX, MvccCodec.longBytes(raftIndex)),
                    Durability.NOT_SYNCED);
            consistentIndex = raftIndex;
            compactRevision = revision;
            removeCompacted(previous, revision);
            long current = currentRevision;
            return new WriteResult<>(new CompactionResponse(header(current)), current, List.of());
        }
    }

    /**
     * Records that the entry at {@code raftIndex} was applied without touching the key space
     * (an empty entry, a membership change, a lease grant, ...).
     *
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public void recordApplied(long raftIndex) {
        recordApplied(raftIndex, null);
    }

    /**
     * Records that the entry at {@code raftIndex} was applied, writing {@code sameBatch}'s
     * additions (another state-machine part's changes, such as the lessor's lease table, in its own
     * keyspaces of the same backend) in the same atomic batch; {@code sameBatch} may be null.
     *
     * @throws IllegalArgumentException if {@code raftIndex} is not above {@link #consistentIndex()}
     */
    public void recordApplied(long raftIndex, Consumer<WriteBatch> sameBatch) {
        synchronized (applyLock) {
            checkIndex(raftIndex);
            WriteBatch batch = new WriteBatch();
            if (sameBatch != null) {
                sameBatch.accept(batch);
            }
            batch.put(MvccCodec.META, MvccCodec.META_CONSISTENT_INDEX, MvccCodec.longBytes(raftIndex));
            backend.write(batch, Durability.NOT_SYNCED);
            consistentIndex = raftIndex;
        }
    }

    /** A response header at the current revision, built by {@link Options#headers()}. */
    public ResponseHeader currentHeader() {
        return header(currentRevision);
    }

    /**
     * Marks the store closed: later calls fail with {@link IllegalStateException}. The backend
     * stays open (it is the caller's). Closing twice is harmless.
     */
    @Override
    public void close() {
        closed = true;
    }

    private interface Operation<R> {
        R run(Execution execution);
    }

    private <R> WriteResult<R> write(long raftIndex, Operation<R> operation) {
        synchronized (applyLock) {
            checkIndex(raftIndex);
            Execution execution = Execution.writing(backend, currentRevision, compactRevision);
            R response;
            try {
                response = operation.run(execution);
            } catch (CairnException rejected) {
                recordApplied(raftIndex);
                throw rejected;
            }
            WriteBatch batch = execution.batch;
            batch.put(MvccCodec.META, MvccCodec.META_CONSISTENT_INDEX, MvccCodec.longBytes(raftIndex));
            long revision = execution.readRevision();
            if (execution.changed()) {
                batch.put(MvccCodec.META, MvccCodec.META_REVISION, MvccCodec.longBytes(revision));
            }
            backend.write(batch, Durability.NOT_SYNCED);
            consistentIndex = raftIndex;
            currentRevision = revision;
            if (response instanceof ResponseOp op) {
                @SuppressWarnings("unchecked")
                R stamped = (R) Responses.restamp(op, header(revision));
                response = stamped;
            }
            return new WriteResult<>(response, revision,
                    execution.changes.isEmpty() ? List.of() : new LazyEvents(execution.changes));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the MVCC store is closed");
        }
    }

    private void checkIndex(long raftIndex) {
        checkOpen();
        if (raftIndex <= consistentIndex) {
            throw new IllegalArgumentException("Raft index " + raftIndex + " is already applied (consistent index "
                    + consistentIndex + "); skip it when replaying");
        }
    }

    private ResponseHeader header(long revision) {
        return options.headers().apply(revision);
    }

    private static Execution readingExecution(ReadSnapshot snapshot) {
        Meta meta = Meta.read(snapshot);
        return Execution.reading(snapshot, meta.revision, meta.compactScheduled);
    }

    private static RangeResponse withHeader(RangeResponse response, ResponseHeader header) {
        return new RangeResponse(header, response.kvs(), response.more(), response.count());
    }

    /**
     * Removes what a compaction at {@code revision} makes unreachable, resuming after a compaction
     * finished at {@code previous}. Each {@link MvccCodec#KV_BY_REV} entry at or below
     * {@code revision} names a change and the version it superseded: that version goes (it was
     * superseded at or before {@code revision}), and so does the change itself if it is a deletion.
     * Entries below {@code revision} go too; those at it stay for watchers starting there.
     * Every step is idempotent, so a resumed compaction may redo part of a batch safely.
     */
    private void removeCompacted(long previous, long revision) {
        byte[] start = MvccCodec.revisionKey(Math.max(previous, 0), 0);
        byte[] end = MvccCodec.revisionKey(revision + 1, 0);
        int batchSize = options.compactionBatchSize();
        while (true) {
            List<KeyValuePair> entries = backend.scan(MvccCodec.KV_BY_REV, start, end, ScanOrder.ASCENDING, batchSize);
            if (entries.isEmpty()) {
                break;
            }
            WriteBatch batch = new WriteBatch();
            for (KeyValuePair entry : entries) {
                long main = MvccCodec.revisionKeyMain(entry.key());
                byte[] key = MvccCodec.revisionEntryKey(entry.value());
                long prevMain = MvccCodec.revisionEntryPrevMain(entry.value());
                if (prevMain != 0) {
                    batch.delete(MvccCodec.KV_BY_KEY,
                            MvccCodec.versionKey(key, prevMain, MvccCodec.revisionEntryPrevSub(entry.value())));
                }
                if (MvccCodec.revisionEntryType(entry.value()) == MvccCodec.TYPE_DELETE) {
                    batch.delete(MvccCodec.KV_BY_KEY, MvccCodec.versionKey(key, main, MvccCodec.revisionKeySub(entry.key())));
                }
                if (main < revision) {
                    batch.delete(MvccCodec.KV_BY_REV, entry.key());
                }
            }
            backend.write(batch, Durability.NOT_SYNCED);
            if (entries.size() < batchSize) {
                break;
            }
            byte[] last = entries.get(entries.size() - 1).key();
            start = Arrays.copyOf(last, last.length + 1);
        }
        backend.write(new WriteBatch().put(MvccCodec.META, MvccCodec.META_COMPACT_FINISHED, MvccCodec.longBytes(revision)),
                Durability.NOT_SYNCED);
    }

    /** The meta keyspace as read from one view. */
    private record Meta(long format, long revision, long consistentIndex, long compactScheduled, long compactFinished) {
        static Meta read(ReadView view) {
            return new Meta(
                    number(view, MvccCodec.META_FORMAT, 0),
                    number(view, MvccCodec.META_REVISION, 1),
                    number(view, MvccCodec.META_CONSISTENT_INDEX, 0),
                    number(view, MvccCodec.META_COMPACT_SCHEDULED, -1),
                    number(view, MvccCodec.META_COMPACT_FINISHED, -1));
        }

        private static long number(ReadView view, byte[] name, long absent) {
            byte[] bytes = view.get(MvccCodec.META, name);
            if (bytes == null) {
                return absent;
            }
            if (bytes.length != 8) {
                throw new IllegalStateException("corrupted MVCC meta entry " + new String(name, StandardCharsets.US_ASCII));
            }
            return MvccCodec.getLong(bytes, 0);
        }
    }
}
