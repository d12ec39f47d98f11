package io.cairn.api.watch;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A request to watch a key or a range of keys, as etcd's {@code WatchCreateRequest}:
 * {@code WatchCreateRequest.prefix(p).withStartRevision(rev).withPrevKv(true)}.
 *
 * @param key the first key; never null
 * @param rangeEnd the range end, see {@link KeyRange}; empty for a single key; never null
 * @param startRevision the revision to start from, inclusive; 0 for "from the next change"
 * @param progressNotify ask for periodic empty responses carrying the current revision while
 *     nothing changes
 * @param filters kinds of events not to send; unmodifiable
 * @param prevKv send each event with the key-value pair before the change
 * @param watchId the id to give the watcher, unique on its stream; 0 lets the server choose
 * @param fragment allow the server to split a large revision's events over several responses
 *     (marked {@link WatchResponse#fragment()})
 */
@Stable(since = "0.1")
public record WatchCreateRequest(
        Bytes key,
        Bytes rangeEnd,
        long startRevision,
        boolean progressNotify,
        Set<Filter> filters,
        boolean prevKv,
        long watchId,
        boolean fragment) {

    /** A kind of event to filter out on the server, as etcd's {@code WatchCreateRequest.FilterType}. */
    @Stable(since = "0.1")
    public enum Filter {
        /** Send no PUT events. */
        NOPUT,
        /** Send no DELETE events. */
        NODELETE
    }

    /**
     * Copies {@code filters}.
     *
     * @throws NullPointerException if an object component or a filter is null
     * @throws IllegalArgumentException if {@code startRevision} or {@code watchId} is negative
     *     (etcd reserves -1 for "no watcher" in responses)
     */
    public WatchCreateRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
        Objects.requireNonNull(filters, "filters");
        filters = filters.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(filters));
        Checks.notNegative(startRevision, "startRevision");
        Checks.notNegative(watchId, "watchId");
    }

    /** A watch of the single key {@code key} from the next change. */
    public static WatchCreateRequest of(Bytes key) {
        return of(KeyRange.single(key));
    }

    /** A watch of every key in {@code range} from the next change. */
    public static WatchCreateRequest of(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return new WatchCreateRequest(range.key(), range.rangeEnd(), 0, false, Set.of(), false, 0, false);
    }

    /** A watch of every key that starts with {@code prefix} (every key when it is empty). */
    public static WatchCreateRequest prefix(Bytes prefix) {
        return of(KeyRange.prefix(prefix));
    }

    /** The keys this watch covers. */
    public KeyRange keyRange() {
        return new KeyRange(key, rangeEnd);
    }

    /** This watch with another range end. */
    public WatchCreateRequest withRangeEnd(Bytes rangeEnd) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch starting at {@code startRevision}, inclusive; 0 for the next change. */
    public WatchCreateRequest withStartRevision(long startRevision) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch asking for progress notifications if {@code progressNotify}. */
    public WatchCreateRequest withProgressNotify(boolean progressNotify) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch filtering out exactly {@code filters}. */
    public WatchCreateRequest withFilters(Set<Filter> filters) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch sending previous key-value pairs if {@code prevKv}. */
    public WatchCreateRequest withPrevKv(boolean prevKv) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch asking for the watcher id {@code watchId}; 0 lets the server choose. */
    public WatchCreateRequest withWatchId(long watchId) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }

    /** This watch allowing fragmented responses if {@code fragment}. */
    public WatchCreateRequest withFragment(boolean fragment) {
        return new WatchCreateRequest(key, rangeEnd, startRevision, progressNotify, filters, prevKv, watchId, fragment);
    }
}
