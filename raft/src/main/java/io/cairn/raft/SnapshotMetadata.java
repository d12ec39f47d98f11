package io.cairn.raft;

import java.util.Objects;

/**
 * What a snapshot covers.
 *
 * @param confState the configuration in effect at {@code index}
 * @param index the last log index the snapshot includes
 * @param term the term of the entry at {@code index}
 */
public record SnapshotMetadata(ConfState confState, long index, long term) {

    /** The metadata of "no snapshot". */
    public static final SnapshotMetadata EMPTY = new SnapshotMetadata(ConfState.EMPTY, 0, 0);

    public SnapshotMetadata {
        Objects.requireNonNull(confState, "confState is null");
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot index and term must be >= 0, got index=" + index + " term=" + term);
        }
    }
}
