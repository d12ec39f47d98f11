package io.cairn.api;

import io.cairn.api.internal.Checks;

import java.util.Objects;

/**
 * One version of one key, as etcd's {@code mvccpb.KeyValue}.
 *
 * @param key the key; never null, non-empty in anything the server returns
 * @param createRevision the revision of the last creation of the key (etcd {@code create_revision})
 * @param modRevision the revision of the last modification of the key (etcd {@code mod_revision})
 * @param version the number of modifications since the last creation; a delete resets it to 0 and
 *     the first put after that makes it 1
 * @param value the value; never null, empty when the request asked for keys only
 * @param lease the id of the lease attached to the key, 0 for none
 */
@Stable(since = "0.1")
public record KeyValue(Bytes key, long createRevision, long modRevision, long version, Bytes value, long lease) {

    /**
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalArgumentException if a revision or the version is negative
     */
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Checks.notNegative(createRevision, "createRevision");
        Checks.notNegative(modRevision, "modRevision");
        Checks.notNegative(version, "version");
    }
}
