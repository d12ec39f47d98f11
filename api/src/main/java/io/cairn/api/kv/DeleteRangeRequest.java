package io.cairn.api.kv;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A delete of one key or a range of keys, as etcd's {@code DeleteRangeRequest}.
 *
 * @param key the first key; never null
 * @param rangeEnd the range end, see {@link KeyRange}; empty for a single key; never null
 * @param prevKv return the deleted key-value pairs
 */
@Stable(since = "0.1")
public record DeleteRangeRequest(Bytes key, Bytes rangeEnd, boolean prevKv) implements RequestOp {

    /** @throws NullPointerException if {@code key} or {@code rangeEnd} is null */
    public DeleteRangeRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
    }

    /** A delete of the single key {@code key}. */
    public static DeleteRangeRequest of(Bytes key) {
        return of(KeyRange.single(key));
    }

    /** A delete of every key in {@code range}. */
    public static DeleteRangeRequest of(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return new DeleteRangeRequest(range.key(), range.rangeEnd(), false);
    }

    /** A delete of every key that starts with {@code prefix} (every key when it is empty). */
    public static DeleteRangeRequest prefix(Bytes prefix) {
        return of(KeyRange.prefix(prefix));
    }

    /** The key range this request deletes. */
    public KeyRange keyRange() {
        return new KeyRange(key, rangeEnd);
    }

    /** This delete with another range end. */
    public DeleteRangeRequest withRangeEnd(Bytes rangeEnd) {
        return new DeleteRangeRequest(key, rangeEnd, prevKv);
    }

    /** This delete returning the deleted pairs if {@code prevKv}. */
    public DeleteRangeRequest withPrevKv(boolean prevKv) {
        return new DeleteRangeRequest(key, rangeEnd, prevKv);
    }
}
