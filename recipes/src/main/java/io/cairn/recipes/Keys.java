package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.kv.RangeRequest;

/** Key layouts shared by the recipes. */
final class Keys {

    private Keys() {}

    /** {@code name + "/"}. */
    static Bytes prefix(String name) {
        return Bytes.fromUtf8(name + "/");
    }

    /**
     * etcd's {@code clientv3/concurrency} key of a session under a name: {@code <name>/<lease id in hex>},
     * as Go's {@code fmt.Sprintf("%s/%x", name, lease)} writes it.
     */
    static Bytes leaseKey(String name, long lease) {
        String hex = lease >= 0 ? Long.toHexString(lease) : "-" + Long.toHexString(-lease);
        return Bytes.fromUtf8(name + "/" + hex);
    }

    /** The key under {@code prefix} with the lowest create revision (etcd's {@code WithFirstCreate}). */
    static RangeRequest firstCreated(Bytes prefix) {
        return RangeRequest.prefix(prefix)
                .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.ASCEND)
                .withLimit(1);
    }

    /** A key no other party will write: {@code prefix} followed by a random 128-bit hex suffix. */
    static Bytes unique(Bytes prefix) {
        java.util.UUID id = java.util.UUID.randomUUID();
        return prefix.concat(Bytes.fromUtf8(String.format("%016x%016x", id.getMostSignificantBits(),
                id.getLeastSignificantBits())));
    }
}
