package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link RaftStorage} in memory, for tests and simulation. Not durable.
 *
 * <p>Threading: not thread-safe; use it from the thread that drives the node.
 */
public final class MemoryRaftStorage implements RaftStorage {

    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot = Snapshot.EMPTY;
    /**
     * entries.get(0) is a placeholder for the snapshot's index and term (its data is unused), so
     * {@code entries.get(i - offset())} is entry {@code i}. Invariant: never empty.
     */
    private final ArrayList<Entry> entries = new ArrayList<>();

    /** An empty storage: no entries, no members. */
    public MemoryRaftStorage() {
        entries.add(Entry.empty(0, 0));
    }

    /** An empty storage whose initial configuration has these voters (a freshly bootstrapped cluster). */
    public static MemoryRaftStorage withVoters(long... voters) {
        return withConfState(ConfState.ofVoters(voters));
    }

    /** An empty storage with this initial configuration. */
    public static MemoryRaftStorage withConfState(ConfState confState) {
        MemoryRaftStorage s = new MemoryRaftStorage();
        s.snapshot = new Snapshot(new SnapshotMetadata(confState, 0, 0), new byte[0]);
        return s;
    }

    @Override
    public InitialState initialState() {
        return new InitialState(hardState, snapshot.metadata().confState());
    }

    /** Records the hard state (step 1 of the {@link Ready} contract). */
    public void setHardState(HardState hardState) {
        this.hardState = Objects.requireNonNull(hardState, "hardState is null");
    }

    /** The hard state last recorded. */
    public HardState hardState() {
        return hardState;
    }

    private long offset() {
        return entries.get(0).index();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        if (lo > hi) {
            throw new IllegalArgumentException("invalid range [" + lo + ", " + hi + ")");
        }
        if (lo <= offset()) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "entry " + lo + " is compacted (first index " + firstIndex() + ")");
        }
        if (hi > lastIndex() + 1) {
            throw new RaftStorageException(RaftStorageException.Reason.UNAVAILABLE,
                    "entries up to " + (hi - 1) + " requested, last index is " + lastIndex());
        }
        List<Entry> out = new ArrayList<>();
        long size = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entries.get((int) (i - offset()));
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxSizeBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public long term(long index) {
        if (index < offset()) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "term of " + index + " is compacted (snapshot index " + offset() + ")");
        }
        if (index > lastIndex()) {
            throw new RaftStorageException(RaftStorageException.Reason.UNAVAILABLE,
                    "term of " + index + " requested, last index is " + lastIndex());
        }
        return entries.get((int) (index - offset())).term();
    }

    @Override
    public long lastIndex() {
        return offset() + entries.size() - 1;
    }

    @Override
    public long firstIndex() {
        return offset() + 1;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Replaces everything with {@code snap} (a snapshot received from the leader, step 1 of the
     * {@link Ready} contract).
     *
     * @throws RaftStorageException {@code SNAPSHOT_OUT_OF_DATE} if it is older than the one held
     */
    public void applySnapshot(Snapshot snap) {
        long index = snap.metadata().index();
        if (index < snapshot.metadata().index()) {
            throw new RaftStorageException(RaftStorageException.Reason.SNAPSHOT_OUT_OF_DATE,
                    "snapshot at " + index + " is older than the one held at " + snapshot.metadata().index());
        }
        snapshot = snap;
        entries.clear();
        entries.add(Entry.empty(snap.metadata().term(), index));
    }

    /**
     * Records a snapshot of the application state at {@code index} (which must be applied), so
     * the log before it can be {@link #compact compacted} and lagging followers can be caught up.
     *
     * @throws RaftStorageException {@code SNAPSHOT_OUT_OF_DATE} if {@code index} is not newer than
     *     the snapshot held
     * @throws IllegalArgumentException if {@code index > lastIndex()}
     */
    public Snapshot createSnapshot(long index, ConfState confState, byte[] data) {
        if (index <= snapshot.metadata().index()) {
            throw new RaftStorageException(RaftStorageException.Reason.SNAPSHOT_OUT_OF_DATE,
                    "snapshot at " + index + " is not newer than the one held at " + snapshot.metadata().index());
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("snapshot index " + index + " is beyond the last index " + lastIndex());
        }
        snapshot = new Snapshot(new SnapshotMetadata(confState, index, term(index)), data);
        return snapshot;
    }

    /**
     * Discards entries before {@code compactIndex}; {@code compactIndex} becomes the placeholder.
     * The caller must not compact past the applied index.
     *
     * @throws RaftStorageException {@code COMPACTED} if already compacted past it
     * @throws IllegalArgumentException if {@code compactIndex > lastIndex()}
     */
    public void compact(long compactIndex) {
        if (compactIndex <= offset()) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "already compacted to " + offset() + ", cannot compact to " + compactIndex);
        }
        if (compactIndex > lastIndex()) {
            throw new IllegalArgumentException("compact index " + compactIndex + " is beyond the last index " + lastIndex());
        }
        int cut = (int) (compactIndex - offset());
        Entry placeholder = Entry.empty(entries.get(cut).term(), compactIndex);
        entries.subList(0, cut + 1).clear();
        entries.add(0, placeholder);
    }

    /**
     * Appends entries (step 1 of the {@link Ready} contract): an entry whose index is already held
     * replaces it and every later one. Entries already compacted are skipped.
     *
     * @throws IllegalArgumentException if the entries leave a gap after the last index or are not consecutive
     */
    public void append(List<Entry> newEntries) {
        if (newEntries.isEmpty()) {
            return;
        }
        for (int i = 1; i < newEntries.size(); i++) {
            if (newEntries.get(i).index() != newEntries.get(i - 1).index() + 1) {
                throw new IllegalArgumentException("entries to append are not consecutive at " + newEntries.get(i).index());
            }
        }
        long first = firstIndex();
        long last = newEntries.get(newEntries.size() - 1).index();
        if (last < first) {
            return;
        }
        List<Entry> toAdd = newEntries;
        if (newEntries.get(0).index() < first) {
            toAdd = newEntries.subList((int) (first - newEntries.get(0).index()), newEntries.size());
        }
        long start = toAdd.get(0).index();
        if (start > lastIndex() + 1) {
            throw new IllegalArgumentException("append at " + start + " leaves a gap after the last index " + lastIndex());
        }
        int keep = (int) (start - offset());
        entries.subList(keep, entries.size()).clear();
        entries.addAll(toAdd);
    }
}
