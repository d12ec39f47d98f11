package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * A state-machine snapshot: the application state up to {@code metadata.index()}.
 *
 * <p>Ownership: {@code data} is not copied (see {@link Entry}).
 *
 * @param metadata what the snapshot covers
 * @param data the application's serialized state, never null
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {

    /** "No snapshot". */
    public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

    public Snapshot {
        Objects.requireNonNull(metadata, "snapshot metadata is null");
        Objects.requireNonNull(data, "snapshot data is null (use an empty array)");
    }

    /** Whether this is "no snapshot" (index 0). */
    public boolean isEmpty() {
        return metadata.index() == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && metadata.equals(s.metadata) && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metadata, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "snapshot{index=" + metadata.index() + " term=" + metadata.term() + " " + metadata.confState() + "}";
    }
}
