package io.cairn.raft;

/** Outcome of counting votes against a configuration. */
enum VoteResult {
    /** Not decided: enough voters have not answered. */
    PENDING,
    /** Cannot win any more. */
    LOST,
    /** Won. */
    WON
}
