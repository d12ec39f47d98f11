package io.cairn.raft;

/** How the leader replicates to one follower. The diagram is in {@code raft/README.md}. */
public enum ProgressState {
    /** The leader does not know where the follower's log matches: one append per heartbeat interval until it does. */
    PROBE,
    /** The follower's log matches: appends are streamed, bounded by the in-flight limits. */
    REPLICATE,
    /** The follower needs a snapshot; nothing else is sent until it reports the outcome. */
    SNAPSHOT
}
