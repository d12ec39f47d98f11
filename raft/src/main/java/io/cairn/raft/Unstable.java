package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Entries and a snapshot that the node has accepted but the caller has not yet persisted (they
 * travel in {@link Ready#entries()} / {@link Ready#snapshot()} and are dropped from here on
 * {@link RawNode#advance}).
 *
 * <p>Invariants: {@code entries.get(i)} has index {@code offset + i}; if {@code snapshot} is set,
 * {@code offset == snapshot index + 1} or entries were appended after it.
 */
final class Unstable {
    Snapshot snapshot;
    final ArrayList<Entry> entries = new ArrayList<>();
    long offset;

    Unstable(long offset) {
        this.offset = offset;
    }

    /** The first index if a snapshot is pending, else -1 (unknown here). */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.metadata().index() + 1 : -1;
    }

    /** The last index held here, or -1. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.metadata().index() : -1;
    }

    /** The term at {@code i} if known here, else -1. */
    long maybeTerm(long i) {
        if (i < offset) {
            if (snapshot != null && snapshot.metadata().index() == i) {
                return snapshot.metadata().term();
            }
            return -1;
        }
        long last = maybeLastIndex();
        if (last < 0 || i > last) {
            return -1;
        }
        return entries.get((int) (i - offset)).term();
    }

    /** Entries up to {@code i} (with term {@code t}) are persisted. */
    void stableTo(long i, long t) {
        long gt = maybeTerm(i);
        if (gt < 0) {
            return;
        }
        // A newer append may have replaced the entry at i with another term: then it is not stable.
        if (gt == t && i >= offset) {
            entries.subList(0, (int) (i + 1 - offset)).clear();
            offset = i + 1;
        }
    }

    void stableSnapTo(long i) {
        if (snapshot != null && snapshot.metadata().index() == i) {
            snapshot = null;
        }
    }

    void restore(Snapshot s) {
        offset = s.metadata().index() + 1;
        entries.clear();
        snapshot = s;
    }

    void truncateAndAppend(List<Entry> ents) {
        long after = ents.get(0).index();
        if (after <= offset) {
            // Replaces everything held here.
            offset = after;
            entries.clear();
        } else if (after < offset + entries.size()) {
            entries.subList((int) (after - offset), entries.size()).clear();
        } else if (after > offset + entries.size()) {
            throw new IllegalStateException("append at " + after + " leaves a gap after unstable entries ["
                    + offset + "," + (offset + entries.size()) + ")");
        }
        // One by one: addAll would copy the list to an array first, for every proposal.
        entries.ensureCapacity(entries.size() + ents.size());
        for (int i = 0; i < ents.size(); i++) {
            entries.add(ents.get(i));
        }
    }

    /** The entry at {@code i}, which must be held here. */
    Entry entryAt(long i) {
        if (i < offset || i >= offset + entries.size()) {
            throw new IllegalStateException("unstable entry " + i + " out of bounds [" + offset + ","
                    + (offset + entries.size()) + ")");
        }
        return entries.get((int) (i - offset));
    }
}
