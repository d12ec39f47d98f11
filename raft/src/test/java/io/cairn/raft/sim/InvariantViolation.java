package io.cairn.raft.sim;

/** A Raft safety property (or the Ready contract) was broken; the message names the event, node, index and term. */
final class InvariantViolation extends AssertionError {
    private static final long serialVersionUID = 1L;

    InvariantViolation(String message) {
        super(message);
    }
}
