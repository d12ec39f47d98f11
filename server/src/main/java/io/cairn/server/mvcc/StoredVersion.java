package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.KeyValue;

/**
 * One stored version of one key: its place in the history ({@code main}, {@code sub}) and its
 * {@link MvccCodec#KV_BY_KEY} record (a put or a tombstone). The arrays are owned by this object
 * and never modified.
 */
record StoredVersion(byte[] key, long main, long sub, byte[] record) {

    StoredVersion {
        MvccCodec.checkRecord(record);
    }

    boolean isTombstone() {
        return MvccCodec.isTombstone(record);
    }

    long createRevision() {
        return isTombstone() ? 0 : MvccCodec.createRevisionOf(record);
    }

    long version() {
        return isTombstone() ? 0 : MvccCodec.versionOf(record);
    }

    long lease() {
        return isTombstone() ? 0 : MvccCodec.leaseOf(record);
    }

    byte[] value() {
        return isTombstone() ? new byte[0] : MvccCodec.valueOf(record);
    }

    /** The API view: for a tombstone, etcd's delete-event shape (mod revision only). */
    KeyValue toKeyValue() {
        if (isTombstone()) {
            return new KeyValue(Bytes.of(key), 0, main, 0, Bytes.EMPTY, 0);
        }
        return new KeyValue(Bytes.of(key), createRevision(), main, version(), Bytes.of(value()), lease());
    }
}
