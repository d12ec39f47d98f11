package io.cairn.api.kv;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.Objects;

/**
 * A read of one key or a range of keys, as etcd's {@code RangeRequest}. Start from {@link #of},
 * {@link #prefix}, {@link #range} or {@link #all}, then set options with the {@code with...}
 * methods, each returning a new request:
 * {@snippet :
 * RangeRequest request = RangeRequest.prefix(Bytes.fromUtf8("/config/")).withLimit(10).withSerializable(true);
 * }
 *
 * <p>The constructor rejects values that have no meaning (negative limit, revision or revision
 * bounds). Values etcd itself rejects with an error, such as an empty key, are accepted here and
 * rejected by the server with etcd's error (see {@link io.cairn.api.ErrorCode#EMPTY_KEY}).
 * Transports that decode a wire request clamp negative wire values to 0 first, which is what etcd
 * makes of them.
 *
 * @param key the first key; never null
 * @param rangeEnd the range end, see {@link KeyRange}; empty for a single key; never null
 * @param limit the maximum number of keys returned, 0 for no limit
 * @param revision the revision to read at, 0 for the newest
 * @param sortOrder the order of the results; never null
 * @param sortTarget the field sorted on; never null. When it is not {@code KEY} and the order is
 *     {@code NONE}, etcd sorts ascending
 * @param serializable read the member's local state without consensus (may be stale) instead of a
 *     linearizable read
 * @param keysOnly return keys without values
 * @param countOnly return only the count
 * @param minModRevision drop keys whose mod revision is lower, 0 for no bound
 * @param maxModRevision drop keys whose mod revision is higher, 0 for no bound
 * @param minCreateRevision drop keys whose create revision is lower, 0 for no bound
 * @param maxCreateRevision drop keys whose create revision is higher, 0 for no bound
 */
@Stable(since = "0.1")
public record RangeRequest(
        Bytes key,
        Bytes rangeEnd,
        long limit,
        long revision,
        SortOrder sortOrder,
        SortTarget sortTarget,
        boolean serializable,
        boolean keysOnly,
        boolean countOnly,
        long minModRevision,
        long maxModRevision,
        long minCreateRevision,
        long maxCreateRevision)
        implements RequestOp {

    /** The order of the results, as etcd's {@code RangeRequest.SortOrder}. */
    @Stable(since = "0.1")
    public enum SortOrder {
        /** No sorting: ascending by key. */
        NONE,
        /** Lowest target value first. */
        ASCEND,
        /** Highest target value first. */
        DESCEND
    }

    /** The field to sort on, as etcd's {@code RangeRequest.SortTarget}. */
    @Stable(since = "0.1")
    public enum SortTarget {
        KEY,
        VERSION,
        CREATE,
        MOD,
        VALUE
    }

    /**
     * @throws NullPointerException if an object component is null
     * @throws IllegalArgumentException if {@code limit}, {@code revision} or a revision bound is negative
     */
    public RangeRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
        Objects.requireNonNull(sortOrder, "sortOrder");
        Objects.requireNonNull(sortTarget, "sortTarget");
        Checks.notNegative(limit, "limit");
        Checks.notNegative(revision, "revision");
        Checks.notNegative(minModRevision, "minModRevision");
        Checks.notNegative(maxModRevision, "maxModRevision");
        Checks.notNegative(minCreateRevision, "minCreateRevision");
        Checks.notNegative(maxCreateRevision, "maxCreateRevision");
    }

    /** A linearizable read of the single key {@code key} at the newest revision. */
    public static RangeRequest of(Bytes key) {
        return of(KeyRange.single(key));
    }

    /** A linearizable read of {@code range} at the newest revision, without limit or sorting. */
    public static RangeRequest of(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return new RangeRequest(range.key(), range.rangeEnd(), 0, 0, SortOrder.NONE, SortTarget.KEY,
                false, false, false, 0, 0, 0, 0);
    }

    /** A read of {@code [key, rangeEnd)}; see {@link KeyRange} for the conventions. */
    public static RangeRequest range(Bytes key, Bytes rangeEnd) {
        return of(new KeyRange(key, rangeEnd));
    }

    /** A read of every key that starts with {@code prefix} (every key when it is empty). */
    public static RangeRequest prefix(Bytes prefix) {
        return of(KeyRange.prefix(prefix));
    }

    /** A read of every key. */
    public static RangeRequest all() {
        return of(KeyRange.all());
    }

    /** The key range this request reads. */
    public KeyRange keyRange() {
        return new KeyRange(key, rangeEnd);
    }

    /** This request with another range end. */
    public RangeRequest withRangeEnd(Bytes rangeEnd) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request reading every key that starts with its key (every key when the key is empty). */
    public RangeRequest withPrefix() {
        KeyRange range = KeyRange.prefix(key);
        return new RangeRequest(range.key(), range.rangeEnd(), limit, revision, sortOrder, sortTarget, serializable,
                keysOnly, countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request reading every key {@code >=} its key. */
    public RangeRequest withFromKey() {
        return withRangeEnd(Bytes.NUL);
    }

    /** This request returning at most {@code limit} keys, 0 for no limit. */
    public RangeRequest withLimit(long limit) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request reading at {@code revision}, 0 for the newest. */
    public RangeRequest withRevision(long revision) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request sorting by {@code sortTarget} in {@code sortOrder}. */
    public RangeRequest withSort(SortTarget sortTarget, SortOrder sortOrder) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request as a serializable (local, possibly stale) read if {@code serializable}. */
    public RangeRequest withSerializable(boolean serializable) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request returning keys without values if {@code keysOnly}. */
    public RangeRequest withKeysOnly(boolean keysOnly) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request returning only the count if {@code countOnly}. */
    public RangeRequest withCountOnly(boolean countOnly) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, minCreateRevision, maxCreateRevision);
    }

    /** This request keeping only keys with {@code min <= modRevision <= max}; 0 leaves a side unbounded. */
    public RangeRequest withModRevisionBounds(long min, long max) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, min, max, minCreateRevision, maxCreateRevision);
    }

    /** This request keeping only keys with {@code min <= createRevision <= max}; 0 leaves a side unbounded. */
    public RangeRequest withCreateRevisionBounds(long min, long max) {
        return new RangeRequest(key, rangeEnd, limit, revision, sortOrder, sortTarget, serializable, keysOnly,
                countOnly, minModRevision, maxModRevision, min, max);
    }
}
