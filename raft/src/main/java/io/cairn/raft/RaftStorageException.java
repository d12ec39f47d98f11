package io.cairn.raft;

import java.util.Objects;

/**
 * A {@link RaftStorage} cannot serve a request. Only the reasons listed here are expected from a
 * healthy storage; the engine handles each one. Any other exception from storage is fatal for the
 * node (it propagates out of the {@link RawNode} call; the node must not be used afterwards).
 */
public class RaftStorageException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** What the storage could not do. */
    public enum Reason {
        /** The requested index is before the first index: it was compacted into a snapshot. */
        COMPACTED,
        /** The requested index is after the last index. */
        UNAVAILABLE,
        /** A snapshot older than the one held was offered for installation or creation. */
        SNAPSHOT_OUT_OF_DATE,
        /** No snapshot can be produced right now; the leader retries later. */
        SNAPSHOT_TEMPORARILY_UNAVAILABLE
    }

    private final Reason reason;

    public RaftStorageException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }
}
