package io.cairn.api;

import java.util.Objects;

/**
 * A key range in etcd's {@code (key, rangeEnd)} form, as carried by range, delete, compare and
 * watch requests:
 * <ul>
 *   <li>{@code rangeEnd} empty: the single key {@code key};
 *   <li>{@code rangeEnd} equal to {@link Bytes#NUL}: every key {@code >= key} (with {@code key} also
 *       {@code NUL}, or empty, every key);
 *   <li>otherwise the half-open interval {@code [key, rangeEnd)}, empty when {@code rangeEnd <= key}.
 * </ul>
 *
 * @param key the first key of the range; never null
 * @param rangeEnd the end as above; never null
 */
@Stable(since = "0.1")
public record KeyRange(Bytes key, Bytes rangeEnd) {

    /** @throws NullPointerException if a component is null */
    public KeyRange {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
    }

    /** The single key {@code key}. */
    public static KeyRange single(Bytes key) {
        return new KeyRange(key, Bytes.EMPTY);
    }

    /**
     * Every key that starts with {@code prefix}. An empty prefix means every key, written as etcd
     * clients write it: key and range end both {@link Bytes#NUL}.
     */
    public static KeyRange prefix(Bytes prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return prefix.isEmpty() ? all() : new KeyRange(prefix, prefix.prefixEnd());
    }

    /** Every key {@code >= key}. */
    public static KeyRange fromKey(Bytes key) {
        return new KeyRange(key, Bytes.NUL);
    }

    /** Every key. */
    public static KeyRange all() {
        return new KeyRange(Bytes.NUL, Bytes.NUL);
    }

    /** Whether this range names a single key (empty range end). */
    public boolean isSingleKey() {
        return rangeEnd.isEmpty();
    }

    /**
     * Whether {@code candidate} falls in this range, by the rules in the class comment.
     *
     * @throws NullPointerException if {@code candidate} is null
     */
    public boolean contains(Bytes candidate) {
        Objects.requireNonNull(candidate, "candidate");
        if (rangeEnd.isEmpty()) {
            return candidate.equals(key);
        }
        if (rangeEnd.equals(Bytes.NUL)) {
            return candidate.compareTo(key) >= 0;
        }
        return candidate.compareTo(key) >= 0 && candidate.compareTo(rangeEnd) < 0;
    }
}
