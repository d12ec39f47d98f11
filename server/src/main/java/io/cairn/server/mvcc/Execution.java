package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.watch.Event;
import io.cairn.spi.storage.ReadView;
import io.cairn.spi.storage.WriteBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * One request executing against the store: a read on a snapshot, or a write being built into one
 * {@link WriteBatch}. A write keeps the versions it has written so far ({@link #pending}) so its
 * later operations read its earlier ones, as in etcd's write transaction: reads at the write's
 * revision merge {@link #pending} over the backend state before the write.
 *
 * <p>Confined to one thread; used once.
 */
final class Execution {

    private static final byte[] NO_VALUE = new byte[0];

    final ReadView view;
    /** The store revision before this execution. */
    final long beginRevision;
    final long compactRevision;
    final WriteBatch batch = new WriteBatch();
    /** What this write changed, in order; {@link LazyEvents} turns them into events on demand. */
    final List<LazyEvents.Change> changes = new ArrayList<>();
    /** The newest version each key written here has (a put or a tombstone). */
    private final TreeMap<Bytes, StoredVersion> pending = new TreeMap<>();
    private final boolean writable;
    private long nextSub;

    private Execution(ReadView view, long beginRevision, long compactRevision, boolean writable) {
        this.view = view;
        this.beginRevision = beginRevision;
        this.compactRevision = compactRevision;
        this.writable = writable;
    }

    static Execution reading(ReadView view, long currentRevision, long compactRevision) {
        return new Execution(view, currentRevision, compactRevision, false);
    }

    static Execution writing(ReadView view, long currentRevision, long compactRevision) {
        return new Execution(view, currentRevision, compactRevision, true);
    }

    boolean changed() {
        return nextSub > 0;
    }

    /** The revision reads see: the write's own once it changed something, else the one before. */
    long readRevision() {
        return changed() ? beginRevision + 1 : beginRevision;
    }

    // ---- key ranges --------------------------------------------------------------------------

    /** {@code [start, end)} of a request's (key, rangeEnd); end null means unbounded. */
    private record Span(byte[] start, byte[] end) {
        static Span of(Bytes key, Bytes rangeEnd) {
            byte[] start = key.toByteArray();
            if (rangeEnd.isEmpty()) {
                return new Span(start, Arrays.copyOf(start, start.length + 1));
            }
            if (rangeEnd.equals(Bytes.NUL)) {
                return new Span(start, null);
            }
            return new Span(start, rangeEnd.toByteArray());
        }
    }

    /** Live versions in key order at {@code revision}, including this write's own at its revision. */
    private void scanLive(Span span, long revision, VersionScanner.Sink sink) {
        if (!changed() || revision != beginRevision + 1) {
            VersionScanner.scanLive(view, span.start(), span.end(), Math.min(revision, beginRevision), sink);
            return;
        }
        if (span.end() != null && Arrays.compareUnsigned(span.start(), span.end()) >= 0) {
            return;
        }
        NavigableMap<Bytes, StoredVersion> mine = span.end() == null
                ? pending.tailMap(Bytes.of(span.start()), true)
                : pending.subMap(Bytes.of(span.start()), true, Bytes.of(span.end()), false);
        Iterator<StoredVersion> own = mine.values().iterator();
        StoredVersion[] next = {own.hasNext() ? own.next() : null};
        boolean[] stopped = {false};
        VersionScanner.scanLive(view, span.start(), span.end(), beginRevision, stored -> {
            while (next[0] != null && Arrays.compareUnsigned(next[0].key(), stored.key()) < 0) {
                StoredVersion mineFirst = next[0];
                next[0] = own.hasNext() ? own.next() : null;
                if (!mineFirst.isTombstone() && !sink.accept(mineFirst)) {
                    stopped[0] = true;
                    return false;
                }
            }
            StoredVersion chosen = stored;
            if (next[0] != null && Arrays.equals(next[0].key(), stored.key())) {
                chosen = next[0];
                next[0] = own.hasNext() ? own.next() : null;
            }
            if (!chosen.isTombstone() && !sink.accept(chosen)) {
                stopped[0] = true;
                return false;
            }
            return true;
        });
        while (!stopped[0] && next[0] != null) {
            StoredVersion rest = next[0];
            next[0] = own.hasNext() ? own.next() : null;
            if (!rest.isTombstone() && !sink.accept(rest)) {
                return;
            }
        }
    }

    /** The newest version of {@code key} now (this write's own if it wrote the key), or null. */
    private StoredVersion latest(byte[] key) {
        StoredVersion own = pending.get(Bytes.of(key));
        return own != null ? own : VersionScanner.newest(view, key, beginRevision);
    }

    private static boolean isLive(StoredVersion version) {
        return version != null && !version.isTombstone();
    }

    // ---- range -------------------------------------------------------------------------------

    /** etcd's {@code executeRange}; the header is {@link Responses#PENDING}, for the caller to stamp. */
    RangeResponse range(RangeRequest request) {
        long current = readRevision();
        long revision = request.revision();
        if (revision > current) {
            throw new CairnException(ErrorCode.FUTURE_REVISION);
        }
        if (revision <= 0) {
            revision = current;
        }
        if (revision < compactRevision) {
            throw new CompactedException(compactRevision);
        }
        // etcd reads everything when it must sort or filter, and one extra key for 'more' otherwise
        long fetchLimit = request.limit();
        if (request.sortOrder() != RangeRequest.SortOrder.NONE || request.minModRevision() != 0
                || request.maxModRevision() != 0 || request.minCreateRevision() != 0 || request.maxCreateRevision() != 0) {
            fetchLimit = 0;
        }
        if (fetchLimit > 0) {
            fetchLimit++;
        }
        long limit = fetchLimit;
        List<StoredVersion> found = new ArrayList<>();
        long[] count = {0};
        scanLive(Span.of(request.key(), request.rangeEnd()), revision, version -> {
            count[0]++;
            if (!request.countOnly() && (limit == 0 || found.size() < limit)) {
                found.add(version);
            }
            return true;
        });
        List<KeyValue> kvs = new ArrayList<>(found.size());
        for (StoredVersion version : found) {
            KeyValue kv = version.toKeyValue();
            if (request.maxModRevision() != 0 && kv.modRevision() > request.maxModRevision()
                    || request.minModRevision() != 0 && kv.modRevision() < request.minModRevision()
                    || request.maxCreateRevision() != 0 && kv.createRevision() > request.maxCreateRevision()
                    || request.minCreateRevision() != 0 && kv.createRevision() < request.minCreateRevision()) {
                continue;
            }
            kvs.add(kv);
        }
        sort(kvs, request.sortOrder(), request.sortTarget());
        boolean more = false;
        if (request.limit() > 0 && kvs.size() > request.limit()) {
            kvs = new ArrayList<>(kvs.subList(0, (int) request.limit()));
            more = true;
        }
        if (request.keysOnly()) {
            kvs.replaceAll(kv -> new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(), Bytes.EMPTY,
                    kv.lease()));
        }
        return new RangeResponse(Responses.PENDING, kvs, more, count[0]);
    }

    /**
     * etcd's sort: no order with a target other than KEY means ascending; KEY ascending is the scan
     * order already. Ties keep key order (etcd's sort is not stable, so its order among ties is
     * unspecified; ours is ascending key order in both directions).
     */
    static void sort(List<KeyValue> kvs, RangeRequest.SortOrder requestedOrder, RangeRequest.SortTarget target) {
        RangeRequest.SortOrder order = requestedOrder;
        if (target != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND;
        } else if (target == RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.ASCEND) {
            order = RangeRequest.SortOrder.NONE;
        }
        if (order == RangeRequest.SortOrder.NONE) {
            return;
        }
        Comparator<KeyValue> comparator = switch (target) {
            case KEY -> Comparator.comparing(KeyValue::key);
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> Comparator.comparing(KeyValue::value);
        };
        kvs.sort(order == RangeRequest.SortOrder.DESCEND ? comparator.reversed() : comparator);
    }

    // ---- put and delete ----------------------------------------------------------------------

    /** etcd's {@code put}: ignore flags, prev_kv; the lease was checked by the caller. */
    PutResponse put(PutRequest request) {
        byte[] key = request.key().toByteArray();
        StoredVersion previous = latest(key);
        boolean existed = isLive(previous);
        if ((request.ignoreValue() || request.ignoreLease()) && !existed) {
            throw new CairnException(ErrorCode.KEY_NOT_FOUND);
        }
        // the value is copied once, from the request straight into the stored record
        ByteBuffer value = request.ignoreValue() ? ByteBuffer.wrap(previous.value())
                : request.value().asReadOnlyByteBuffer();
        long lease = request.ignoreLease() ? previous.lease() : request.lease();
        writePut(key, value, lease, previous);
        Optional<KeyValue> prevKv = request.prevKv() && existed ? Optional.of(previous.toKeyValue()) : Optional.empty();
        return new PutResponse(Responses.PENDING, prevKv);
    }

    private void writePut(byte[] key, ByteBuffer value, long lease, StoredVersion previous) {
        requireWritable();
        long revision = beginRevision + 1;
        long sub = nextSub++;
        boolean existed = isLive(previous);
        long createRevision = existed ? previous.createRevision() : revision;
        long version = existed ? previous.version() + 1 : 1;
        byte[] record = MvccCodec.encodePut(createRevision, version, lease, value);
        batch.put(MvccCodec.KV_BY_KEY, MvccCodec.versionKey(key, revision, sub), record);
        batch.put(MvccCodec.KV_BY_REV, MvccCodec.revisionKey(revision, sub), MvccCodec.encodeRevisionEntry(
                MvccCodec.TYPE_PUT, previous == null ? 0 : previous.main(), previous == null ? 0 : previous.sub(), key));
        long oldLease = existed ? previous.lease() : 0;
        if (oldLease != lease) {
            if (oldLease != 0) {
                batch.delete(MvccCodec.LEASE_KEYS, MvccCodec.leaseKey(oldLease, key));
            }
            if (lease != 0) {
                batch.put(MvccCodec.LEASE_KEYS, MvccCodec.leaseKey(lease, key), NO_VALUE);
            }
        }
        StoredVersion written = new StoredVersion(key, revision, sub, record);
        pending.put(Bytes.of(key), written);
        changes.add(new LazyEvents.Change(Event.Type.PUT, written, existed ? previous : null));
    }

    /** Deletes {@code key} if it is live; returns whether it was. */
    boolean delete(byte[] key) {
        requireWritable();
        StoredVersion previous = latest(key);
        if (!isLive(previous)) {
            return false;
        }
        long revision = beginRevision + 1;
        long sub = nextSub++;
        batch.put(MvccCodec.KV_BY_KEY, MvccCodec.versionKey(key, revision, sub), MvccCodec.TOMBSTONE);
        batch.put(MvccCodec.KV_BY_REV, MvccCodec.revisionKey(revision, sub),
                MvccCodec.encodeRevisionEntry(MvccCodec.TYPE_DELETE, previous.main(), previous.sub(), key));
        if (previous.lease() != 0) {
            batch.delete(MvccCodec.LEASE_KEYS, MvccCodec.leaseKey(previous.lease(), key));
        }
        StoredVersion tombstone = new StoredVersion(key, revision, sub, MvccCodec.TOMBSTONE);
        pending.put(Bytes.of(key), tombstone);
        changes.add(new LazyEvents.Change(Event.Type.DELETE, tombstone, previous));
        return true;
    }

    /** etcd's {@code deleteRange}. */
    DeleteRangeResponse deleteRange(DeleteRangeRequest request) {
        List<StoredVersion> doomed = new ArrayList<>();
        scanLive(Span.of(request.key(), request.rangeEnd()), readRevision(), version -> doomed.add(version));
        for (StoredVersion version : doomed) {
            delete(version.key());
        }
        List<KeyValue> prevKvs = request.prevKv() ? doomed.stream().map(StoredVersion::toKeyValue).toList() : List.of();
        return new DeleteRangeResponse(Responses.PENDING, doomed.size(), prevKvs);
    }

    private void requireWritable() {
        if (!writable) {
            throw new IllegalStateException("a read-only execution cannot write");
        }
    }

    // ---- transactions ------------------------------------------------------------------------

    /**
     * etcd's {@code Txn}: the path through every compare (nested ones too) is decided on the state
     * before the transaction, then the chosen operations are checked, then run.
     */
    TxnResponse txn(TxnRequest request, LongPredicate leaseExists) {
        List<Boolean> path = new ArrayList<>();
        compareToPath(request, path);
        checkTxn(request, path, new int[] {0}, leaseExists);
        return executeTxn(request, path, new int[] {0});
    }

    private void compareToPath(TxnRequest request, List<Boolean> path) {
        boolean succeeded = true;
        for (Compare compare : request.compare()) {
            if (!holds(compare)) {
                succeeded = false;
                break;
            }
        }
        path.add(succeeded);
        for (RequestOp op : succeeded ? request.success() : request.failure()) {
            if (op instanceof TxnRequest nested) {
                compareToPath(nested, path);
            }
        }
    }

    private void checkTxn(TxnRequest request, List<Boolean> path, int[] cursor, LongPredicate leaseExists) {
        boolean succeeded = path.get(cursor[0]++);
        for (RequestOp op : succeeded ? request.success() : request.failure()) {
            switch (op) {
                case RangeRequest range -> {
                    if (range.revision() > beginRevision) {
                        throw new CairnException(ErrorCode.FUTURE_REVISION);
                    }
                    if (range.revision() != 0 && range.revision() < compactRevision) {
                        throw new CompactedException(compactRevision);
                    }
                }
                case PutRequest put -> {
                    if ((put.ignoreValue() || put.ignoreLease()) && !isLive(latest(put.key().toByteArray()))) {
                        throw new CairnException(ErrorCode.KEY_NOT_FOUND);
                    }
                    if (put.lease() != 0 && !leaseExists.test(put.lease())) {
                        throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
                    }
                }
                case DeleteRangeRequest ignored -> {
                }
                case TxnRequest nested -> checkTxn(nested, path, cursor, leaseExists);
            }
        }
    }

    private TxnResponse executeTxn(TxnRequest request, List<Boolean> path, int[] cursor) {
        boolean succeeded = path.get(cursor[0]++);
        List<ResponseOp> responses = new ArrayList<>();
        for (RequestOp op : succeeded ? request.success() : request.failure()) {
            responses.add(switch (op) {
                case RangeRequest range -> range(range);
                case PutRequest put -> put(put);
                case DeleteRangeRequest delete -> deleteRange(delete);
                case TxnRequest nested -> executeTxn(nested, path, cursor);
            });
        }
        return new TxnResponse(Responses.PENDING, succeeded, responses);
    }

    /**
     * etcd's {@code applyCompare}: true when every key of the range satisfies it; over no key at
     * all, a VALUE compare fails and the others compare the absent key's zeros.
     */
    private boolean holds(Compare compare) {
        boolean[] any = {false};
        boolean[] all = {true};
        scanLive(Span.of(compare.key(), compare.rangeEnd()), readRevision(), version -> {
            any[0] = true;
            if (!satisfies(compare, version)) {
                all[0] = false;
                return false;
            }
            return true;
        });
        if (!any[0]) {
            return compare.target() != Compare.Target.VALUE && satisfies(compare, null);
        }
        return all[0];
    }

    private static boolean satisfies(Compare compare, StoredVersion version) {
        int result = switch (compare.target()) {
            case VALUE -> Integer.signum(Arrays.compareUnsigned(version == null ? NO_VALUE : version.value(),
                    compare.value().toByteArray()));
            case CREATE -> Long.compare(version == null ? 0 : version.createRevision(), compare.number());
            case MOD -> Long.compare(version == null ? 0 : version.main(), compare.number());
            case VERSION -> Long.compare(version == null ? 0 : version.version(), compare.number());
            case LEASE -> Long.compare(version == null ? 0 : version.lease(), compare.number());
        };
        return switch (compare.result()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
        };
    }
}
