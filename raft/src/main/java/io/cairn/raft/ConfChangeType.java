package io.cairn.raft;

/** One membership operation inside a {@link ConfChange}. */
public enum ConfChangeType {
    /** Make the node a voter (promotes a learner). */
    ADD_VOTER,
    /** Make the node a learner (demotes a voter; in a joint change the demotion waits for the leave). */
    ADD_LEARNER,
    /** Remove the node. */
    REMOVE
}
