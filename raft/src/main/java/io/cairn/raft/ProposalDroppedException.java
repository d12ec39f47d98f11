package io.cairn.raft;

import java.util.Objects;

/**
 * A proposal (data, conf change, read index or transfer) was not accepted. Nothing was appended;
 * the caller may retry later, possibly on another node.
 */
public class ProposalDroppedException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** Why the proposal was dropped. */
    public enum Reason {
        /** This node knows no leader to forward to (an election is under way). */
        NO_LEADER,
        /** This node is not the leader and proposal forwarding is disabled in its config. */
        FORWARDING_DISABLED,
        /** The leader is handing leadership over; proposals resume on the new leader. */
        LEADER_TRANSFER_IN_PROGRESS,
        /** The leader was removed or demoted to learner; it hands leadership to a voter. */
        NOT_A_MEMBER,
        /** The uncommitted log would exceed {@link RaftConfig#maxUncommittedEntriesSize()}. */
        UNCOMMITTED_SIZE_LIMIT,
        /** A configuration change is already pending, or the change is not allowed from the current configuration. */
        CONF_CHANGE_REJECTED
    }

    private final Reason reason;

    public ProposalDroppedException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }
}
