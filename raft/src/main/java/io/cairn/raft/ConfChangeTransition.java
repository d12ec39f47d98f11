package io.cairn.raft;

/** How a {@link ConfChange} moves between configurations. */
public enum ConfChangeTransition {
    /**
     * Single-server change when it changes at most one voter (safe without a joint phase, Raft
     * thesis §4.1); otherwise joint consensus that the leader leaves by itself.
     */
    AUTO,
    /** Always joint consensus; the leader proposes the leave as soon as the change is applied. */
    JOINT_IMPLICIT,
    /** Always joint consensus; the application proposes {@link ConfChange#leaveJoint()} itself. */
    JOINT_EXPLICIT
}
