package io.cairn.api.kv;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A write of one key, as etcd's {@code PutRequest}: {@code PutRequest.of(key, value).withLease(id)}.
 *
 * <p>Combinations etcd rejects (a value together with {@code ignoreValue}, a lease together with
 * {@code ignoreLease}, an empty key) are accepted here and rejected by the server with etcd's error.
 *
 * @param key the key; never null
 * @param value the value; never null
 * @param lease the lease to attach the key to, 0 for none
 * @param prevKv return the key-value pair as it was before the put
 * @param ignoreValue keep the key's current value (fails if the key does not exist)
 * @param ignoreLease keep the key's current lease (fails if the key does not exist)
 */
@Stable(since = "0.1")
public record PutRequest(Bytes key, Bytes value, long lease, boolean prevKv, boolean ignoreValue, boolean ignoreLease)
        implements RequestOp {

    /** @throws NullPointerException if {@code key} or {@code value} is null */
    public PutRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** A put of {@code value} at {@code key}, without lease. */
    public static PutRequest of(Bytes key, Bytes value) {
        return new PutRequest(key, value, 0, false, false, false);
    }

    /** This put attaching the key to lease {@code lease} (0 for none). */
    public PutRequest withLease(long lease) {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }

    /** This put returning the previous key-value pair if {@code prevKv}. */
    public PutRequest withPrevKv(boolean prevKv) {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }

    /** This put keeping the current value if {@code ignoreValue}. */
    public PutRequest withIgnoreValue(boolean ignoreValue) {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }

    /** This put keeping the current lease if {@code ignoreLease}. */
    public PutRequest withIgnoreLease(boolean ignoreLease) {
        return new PutRequest(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }
}
