package io.cairn.raft;

import java.util.List;

/**
 * The node's log: what is in {@link RaftStorage} followed by the {@link Unstable} tail.
 *
 * <p>Invariants: {@code applied <= committed <= lastIndex()}; {@code firstIndex() - 1 <= applied}
 * (nothing unapplied was compacted).
 */
final class RaftLog {
    final RaftStorage storage;
    final Unstable unstable;
    /** Highest index known committed. */
    long committed;
    /** Highest index handed to the application to apply (see {@link RawNode#advance}). */
    long applied;
    /** Byte cap for committed entries per Ready. */
    final long maxCommittedSizePerReady;

    RaftLog(RaftStorage storage, long maxCommittedSizePerReady) {
        this.storage = storage;
        this.maxCommittedSizePerReady = maxCommittedSizePerReady;
        long first = storage.firstIndex();
        long last = storage.lastIndex();
        this.unstable = new Unstable(last + 1);
        this.committed = first - 1;
        this.applied = first - 1;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i >= 0 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i >= 0 ? i : storage.lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /**
     * The term at {@code i}.
     *
     * @throws RaftStorageException COMPACTED or UNAVAILABLE if the index is outside the log
     */
    long term(long i) {
        long dummy = firstIndex() - 1;
        if (i < dummy) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED, "term of " + i + " is compacted");
        }
        if (i > lastIndex()) {
            throw new RaftStorageException(RaftStorageException.Reason.UNAVAILABLE, "term of " + i + " is unavailable");
        }
        return termInBounds(i);
    }

    /** The term at {@code i}, or 0 if it is compacted or beyond the log. */
    long termOrZero(long i) {
        if (!inBounds(i)) {
            return 0;
        }
        try {
            return termInBounds(i);
        } catch (RaftStorageException e) {
            return 0;
        }
    }

    boolean matchTerm(long i, long t) {
        // Checked before asking: a follower's append probes every new index beyond the log, and an
        // exception per entry would be the cost of each replicated entry.
        if (!inBounds(i)) {
            return false;
        }
        try {
            return termInBounds(i) == t;
        } catch (RaftStorageException e) {
            return false;
        }
    }

    private boolean inBounds(long i) {
        return i >= firstIndex() - 1 && i <= lastIndex();
    }

    private long termInBounds(long i) {
        long t = unstable.maybeTerm(i);
        return t >= 0 ? t : storage.term(i);
    }

    /**
     * A follower's append (Raft §5.3): if the entry at {@code index} has {@code logTerm}, append
     * {@code ents} (truncating a conflicting suffix), advance the commit index, and return the
     * index of the last new entry; else return -1.
     */
    long maybeAppend(long index, long logTerm, long commit, List<Entry> ents) {
        if (!matchTerm(index, logTerm)) {
            return -1;
        }
        long lastNew = index + ents.size();
        long ci = findConflict(ents);
        if (ci != 0) {
            if (ci <= committed) {
                throw new IllegalStateException("entry " + ci + " conflicts with a committed entry (committed " + committed + ")");
            }
            append(ents.subList((int) (ci - (index + 1)), ents.size()));
        }
        commitTo(Math.min(commit, lastNew));
        return lastNew;
    }

    /**
     * Index of the first entry of {@code ents} that is new or whose term differs from the log
     * (an existing conflicting entry and all that follow it must go, Raft §5.3); 0 if none.
     */
    long findConflict(List<Entry> ents) {
        for (int i = 0; i < ents.size(); i++) {
            Entry e = ents.get(i);
            if (!matchTerm(e.index(), e.term())) {
                return e.index();
            }
        }
        return 0;
    }

    /**
     * The conflict hint: the largest index {@code <= index} whose term is {@code <= term}, and that
     * term. The leader's entries at and after such an index up to {@code index} cannot match, so
     * the leader can skip over a whole term of a diverged log in one round trip.
     */
    long[] findConflictByTerm(long index, long term) {
        for (; index > 0; index--) {
            long t;
            try {
                t = term(index);
            } catch (RaftStorageException e) {
                // Compacted or beyond the log: the term is unknown, so this index may match.
                return new long[] {index, 0};
            }
            if (t <= term) {
                return new long[] {index, t};
            }
        }
        return new long[] {0, 0};
    }

    long append(List<Entry> ents) {
        if (ents.isEmpty()) {
            return lastIndex();
        }
        long after = ents.get(0).index() - 1;
        if (after < committed) {
            throw new IllegalStateException("append after " + after + " would overwrite committed entries up to " + committed);
        }
        unstable.truncateAndAppend(ents);
        return lastIndex();
    }

    List<Entry> unstableEntries() {
        return FrozenList.own(unstable.entries.toArray(), unstable.entries.size());
    }

    /** Committed entries not yet handed out for applying, bounded by {@link #maxCommittedSizePerReady}. */
    List<Entry> nextCommittedEntries() {
        long lo = Math.max(applied + 1, firstIndex());
        if (committed + 1 <= lo) {
            return List.of();
        }
        return slice(lo, committed + 1, maxCommittedSizePerReady);
    }

    boolean hasNextCommittedEntries() {
        return committed > Math.max(applied, firstIndex() - 1);
    }

    /** The snapshot to persist and install, if any. */
    Snapshot pendingSnapshot() {
        return unstable.snapshot;
    }

    Snapshot snapshot() {
        if (unstable.snapshot != null) {
            return unstable.snapshot;
        }
        return storage.snapshot();
    }

    void commitTo(long toCommit) {
        if (committed < toCommit) {
            if (lastIndex() < toCommit) {
                throw new IllegalStateException("commit " + toCommit + " is beyond the last index " + lastIndex());
            }
            committed = toCommit;
        }
    }

    void appliedTo(long i) {
        if (i == 0) {
            return;
        }
        if (committed < i || i < applied) {
            throw new IllegalStateException("applied " + i + " is outside [" + applied + ", " + committed + "]");
        }
        applied = i;
    }

    void stableTo(long i, long t) {
        unstable.stableTo(i, t);
    }

    void stableSnapTo(long i) {
        unstable.stableSnapTo(i);
    }

    /** Entries from {@code i}, at most {@code maxSize} bytes (at least one). */
    List<Entry> entries(long i, long maxSize) {
        if (i > lastIndex()) {
            return List.of();
        }
        return slice(i, lastIndex() + 1, maxSize);
    }

    /**
     * Whether a candidate whose log ends at ({@code lastIndex}, {@code term}) is at least as
     * up-to-date as this log (Raft §5.4.1).
     */
    boolean isUpToDate(long lasti, long term) {
        long myTerm = lastTerm();
        return term > myTerm || (term == myTerm && lasti >= lastIndex());
    }

    /**
     * Commits {@code maxIndex} if its entry is of {@code term}: only entries of the leader's own
     * term are committed by counting replicas (Raft §5.4.2).
     */
    boolean maybeCommit(long maxIndex, long term) {
        if (maxIndex > committed && termOrZero(maxIndex) == term) {
            commitTo(maxIndex);
            return true;
        }
        return false;
    }

    void restore(Snapshot s) {
        committed = s.metadata().index();
        unstable.restore(s);
    }

    /**
     * Entries {@code [lo, hi)} limited to {@code maxSize} bytes (at least one).
     *
     * @throws RaftStorageException COMPACTED if {@code lo} is compacted
     */
    List<Entry> slice(long lo, long hi, long maxSize) {
        if (lo < firstIndex()) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "entries from " + lo + " are compacted (first index " + firstIndex() + ")");
        }
        if (hi > lastIndex() + 1) {
            throw new IllegalStateException("slice [" + lo + "," + hi + ") beyond the last index " + lastIndex());
        }
        if (lo == hi) {
            return List.of();
        }
        // Stored entries first (storage may stop early at the size limit), then unstable ones;
        // counted first, so the result is one array of the right length, handed out uncopied.
        List<Entry> stored = List.of();
        long storedHi = lo;
        if (lo < unstable.offset) {
            storedHi = Math.min(hi, unstable.offset);
            stored = storage.entries(lo, storedHi, maxSize);
        }
        int fromStorage = stored.size();
        boolean storageStoppedEarly = fromStorage < storedHi - lo;
        long unstableLo = Math.max(lo, unstable.offset);
        long available = fromStorage + (storageStoppedEarly || hi <= unstableLo ? 0 : hi - unstableLo);
        long size = 0;
        int n = 0;
        for (; n < available; n++) {
            Entry e = n < fromStorage ? stored.get(n) : unstable.entryAt(unstableLo + n - fromStorage);
            size += e.sizeBytes();
            if (n > 0 && size > maxSize) {
                break; // at least one entry, even above the limit
            }
        }
        Object[] out = new Object[n];
        for (int k = 0; k < n; k++) {
            out[k] = k < fromStorage ? stored.get(k) : unstable.entryAt(unstableLo + k - fromStorage);
        }
        return FrozenList.own(out, n);
    }

    @Override
    public String toString() {
        return "committed=" + committed + " applied=" + applied + " unstable.offset=" + unstable.offset
                + " unstable.entries=" + unstable.entries.size();
    }
}
