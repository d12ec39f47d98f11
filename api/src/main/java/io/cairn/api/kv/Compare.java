package io.cairn.api.kv;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * One condition of a transaction guard, as etcd's {@code Compare}: the {@code target} field of the
 * key (or of every key in {@code [key, rangeEnd)}) compared with an operand by {@code result}.
 * Build with the factory of the target:
 * {@snippet :
 * Compare.version(key, Compare.Result.EQUAL, 0)            // the key does not exist
 * Compare.modRevision(key, Compare.Result.LESS, 42)
 * Compare.value(key, Compare.Result.EQUAL, Bytes.fromUtf8("on"))
 * }
 *
 * <p>etcd's {@code target_union} becomes two components: {@code number} holds the operand of the
 * numeric targets (version, create and mod revision, lease) and {@code value} the operand of
 * {@link Target#VALUE}. The one the target does not use is 0 or empty.
 *
 * @param result how the key's field compares with the operand; never null
 * @param target which field of the key is compared; never null
 * @param key the key; never null
 * @param rangeEnd the range end, see {@link KeyRange}; empty for a single key; never null
 * @param number the operand of a numeric target; 0 for {@code VALUE}
 * @param value the operand of {@code VALUE}; empty for other targets; never null
 */
@Stable(since = "0.1")
public record Compare(Result result, Target target, Bytes key, Bytes rangeEnd, long number, Bytes value) {

    /** The comparison, as etcd's {@code Compare.CompareResult}. */
    @Stable(since = "0.1")
    public enum Result {
        EQUAL,
        GREATER,
        LESS,
        NOT_EQUAL
    }

    /** The compared field, as etcd's {@code Compare.CompareTarget}. */
    @Stable(since = "0.1")
    public enum Target {
        /** The key's version; 0 when the key does not exist. */
        VERSION,
        /** The key's create revision; 0 when the key does not exist. */
        CREATE,
        /** The key's mod revision; 0 when the key does not exist. */
        MOD,
        /** The key's value. */
        VALUE,
        /** The key's lease id; 0 for none. */
        LEASE
    }

    /**
     * @throws NullPointerException if an object component is null
     * @throws IllegalArgumentException if the operand the target does not use is set
     */
    public Compare {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
        Objects.requireNonNull(value, "value");
        if (target == Target.VALUE && number != 0) {
            throw new IllegalArgumentException("a VALUE compare takes its operand in value, but number is " + number);
        }
        if (target != Target.VALUE && !value.isEmpty()) {
            throw new IllegalArgumentException("a " + target + " compare takes its operand in number, but value is set");
        }
    }

    /** Compares the key's version with {@code version}. */
    public static Compare version(Bytes key, Result result, long version) {
        return new Compare(result, Target.VERSION, key, Bytes.EMPTY, version, Bytes.EMPTY);
    }

    /** Compares the key's create revision with {@code createRevision}. */
    public static Compare createRevision(Bytes key, Result result, long createRevision) {
        return new Compare(result, Target.CREATE, key, Bytes.EMPTY, createRevision, Bytes.EMPTY);
    }

    /** Compares the key's mod revision with {@code modRevision}. */
    public static Compare modRevision(Bytes key, Result result, long modRevision) {
        return new Compare(result, Target.MOD, key, Bytes.EMPTY, modRevision, Bytes.EMPTY);
    }

    /** Compares the key's value with {@code value}, bytewise unsigned. */
    public static Compare value(Bytes key, Result result, Bytes value) {
        return new Compare(result, Target.VALUE, key, Bytes.EMPTY, 0, value);
    }

    /** Compares the key's lease id with {@code lease}. */
    public static Compare lease(Bytes key, Result result, long lease) {
        return new Compare(result, Target.LEASE, key, Bytes.EMPTY, lease, Bytes.EMPTY);
    }

    /** The keys this condition tests. */
    public KeyRange keyRange() {
        return new KeyRange(key, rangeEnd);
    }

    /** This condition tested on every key of {@code [key, rangeEnd)}: all must satisfy it. */
    public Compare withRangeEnd(Bytes rangeEnd) {
        return new Compare(result, target, key, rangeEnd, number, value);
    }

    /** This condition tested on every key that starts with its key. */
    public Compare withPrefix() {
        KeyRange range = KeyRange.prefix(key);
        return new Compare(result, target, range.key(), range.rangeEnd(), number, value);
    }
}
