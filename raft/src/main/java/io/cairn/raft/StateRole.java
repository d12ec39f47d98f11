package io.cairn.raft;

/** The role a node plays (Raft §5.1, plus the pre-vote phase of the thesis §9.6). */
public enum StateRole {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
