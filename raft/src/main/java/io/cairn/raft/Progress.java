package io.cairn.raft;

/**
 * The leader's view of one follower's log (Raft §5.3 nextIndex/matchIndex), plus the flow control
 * state. State diagram in {@code raft/README.md}.
 */
final class Progress {
    /** Highest index known to be in the follower's log. Invariant: {@code 0 <= match < next}. */
    long match;
    /** Next index to send. In PROBE, the index being probed; in REPLICATE, after the last index sent. */
    long next;
    ProgressState state = ProgressState.PROBE;
    /** In SNAPSHOT: the index of the snapshot sent; 0 otherwise. */
    long pendingSnapshot;
    /** Whether the follower was heard from since the last check-quorum round. */
    boolean recentActive;
    /** In PROBE: an append was sent and not answered yet, so send no other until an answer or heartbeat answer. */
    boolean probeSent;
    /** Appends in flight. Only used in REPLICATE; empty in the other states. */
    final Inflights inflights;
    boolean isLearner;

    Progress(long match, long next, Inflights inflights, boolean isLearner) {
        this.match = match;
        this.next = next;
        this.inflights = inflights;
        this.isLearner = isLearner;
    }

    private void resetState(ProgressState newState) {
        probeSent = false;
        pendingSnapshot = 0;
        state = newState;
        inflights.reset();
    }

    /**
     * Back to probing. After a snapshot, probing resumes after the snapshot's index; otherwise from
     * the match.
     */
    void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            long pending = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, pending + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** An acknowledgement up to {@code n}; returns whether the match advanced. */
    boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, n + 1);
        return updated;
    }

    /** In REPLICATE, entries up to {@code n} were sent optimistically. */
    void optimisticUpdate(long n) {
        next = n + 1;
    }

    /**
     * A rejection of the append at {@code rejected}; {@code matchHint} is the highest index the
     * follower's log may match at. Returns false if the rejection is stale (answers an old append).
     */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    /** Whether the leader must not send appends now. */
    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    ProgressStatus toStatus() {
        return new ProgressStatus(match, next, state, isLearner, recentActive, pendingSnapshot, inflights.count(),
                inflights.bytes());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(state).append(" match=").append(match).append(" next=").append(next);
        if (isLearner) {
            sb.append(" learner");
        }
        if (probeSent) {
            sb.append(" paused");
        }
        if (pendingSnapshot > 0) {
            sb.append(" pendingSnap=").append(pendingSnapshot);
        }
        if (!recentActive) {
            sb.append(" inactive");
        }
        if (inflights.count() > 0) {
            sb.append(" inflight=").append(inflights.count());
            if (inflights.full()) {
                sb.append("[full]");
            }
        }
        return sb.toString();
    }
}
