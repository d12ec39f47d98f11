package io.cairn.raft;

import java.util.List;

/**
 * The durable Raft log as the engine reads it: entries, their terms, the snapshot, and the state
 * found at start-up. The engine never writes through this interface; the caller persists what
 * {@link Ready} asks for, and then this storage must return it.
 *
 * <p>Threading: called only from the thread that drives the owning {@link RawNode}. An
 * implementation that is also written by that thread needs no locking.
 *
 * <p>Failure: methods throw {@link RaftStorageException} only with the reasons documented on each
 * method; the engine handles those. Any other exception is fatal: it propagates out of the
 * {@link RawNode} call and the node must not be used again.
 *
 * <p>Layout: the log holds entries {@code firstIndex() .. lastIndex()}. The entry just before
 * {@code firstIndex()} is covered by the snapshot, whose term {@link #term} still answers.
 */
public interface RaftStorage {

    /** The state found at start-up. */
    record InitialState(HardState hardState, ConfState confState) {
        public InitialState {
            java.util.Objects.requireNonNull(hardState, "hardState is null");
            java.util.Objects.requireNonNull(confState, "confState is null");
        }
    }

    /** The persisted hard state and the configuration as of the last persisted snapshot. Never null. */
    InitialState initialState();

    /**
     * Entries in {@code [lo, hi)}, at least one if the range is not empty, then as many as fit in
     * {@code maxSizeBytes} (counted with {@link Entry#sizeBytes()}).
     *
     * <p>Ownership: the returned list is the caller's; it may be an unmodifiable view. The entries
     * themselves are immutable.
     *
     * @throws RaftStorageException {@code COMPACTED} if {@code lo < firstIndex()},
     *     {@code UNAVAILABLE} if {@code hi > lastIndex() + 1}
     */
    List<Entry> entries(long lo, long hi, long maxSizeBytes);

    /**
     * The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     *
     * @throws RaftStorageException {@code COMPACTED} below that range, {@code UNAVAILABLE} above it
     */
    long term(long index);

    /** The index of the last entry (the snapshot's index if there are no entries after it). */
    long lastIndex();

    /** The index of the first available entry (the snapshot's index + 1). */
    long firstIndex();

    /**
     * The most recent snapshot. Never null.
     *
     * @throws RaftStorageException {@code SNAPSHOT_TEMPORARILY_UNAVAILABLE} if it is being built
     */
    Snapshot snapshot();
}
