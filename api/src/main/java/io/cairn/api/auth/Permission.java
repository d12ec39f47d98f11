package io.cairn.api.auth;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A permission on a key or key range, as etcd's {@code authpb.Permission}.
 *
 * @param permType what the permission allows; never null
 * @param key the key; never null
 * @param rangeEnd the range end, see {@link KeyRange}; empty for the single key; never null
 */
@Stable(since = "0.1")
public record Permission(Type permType, Bytes key, Bytes rangeEnd) {

    /** What a permission allows, as etcd's {@code authpb.Permission.Type}. */
    @Stable(since = "0.1")
    public enum Type {
        READ,
        WRITE,
        READWRITE
    }

    /** @throws NullPointerException if a component is null */
    public Permission {
        Objects.requireNonNull(permType, "permType");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
    }

    /** A permission of {@code type} on every key in {@code range}. */
    public static Permission of(Type type, KeyRange range) {
        Objects.requireNonNull(range, "range");
        return new Permission(type, range.key(), range.rangeEnd());
    }

    /** The keys this permission covers. */
    public KeyRange keyRange() {
        return new KeyRange(key, rangeEnd);
    }
}
