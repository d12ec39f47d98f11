package io.cairn.raft;

/**
 * The state a node must persist before it sends messages that depend on it (Raft §5.1, §5.2:
 * "updated on stable storage before responding to RPCs").
 *
 * @param term the current term
 * @param vote the node voted for in {@code term}, 0 for none
 * @param commit the highest index known committed; persisting it is an optimisation that lets a
 *     restarted node apply without waiting for the leader
 */
public record HardState(long term, long vote, long commit) {

    /** The state of a node that has never run. */
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public HardState {
        if (term < 0 || vote < 0 || commit < 0) {
            throw new IllegalArgumentException("hard state fields must be >= 0: term=" + term + " vote=" + vote + " commit=" + commit);
        }
    }

    /** Whether this equals {@link #EMPTY}. */
    public boolean isEmpty() {
        return equals(EMPTY);
    }
}
