package io.cairn.raft;

/**
 * The kinds of {@link Message}. Local kinds are never sent over the network: the node produces
 * them for itself (through {@link RawNode} methods or {@link RawNode#tick()}).
 */
public enum MessageType {
    /** Local: start an election (pre-vote first when enabled). */
    HUP(true),
    /** Local: the leader sends heartbeats to every peer. */
    BEAT(true),
    /** A proposal of entries; local on the leader, forwarded by followers to the leader. */
    PROP(false),
    /** Append entries (leader to follower). */
    APP(false),
    /** Answer to {@link #APP} or {@link #SNAP}; {@code reject} with a hint on a log mismatch. */
    APP_RESP(false),
    /** Request a vote. */
    VOTE(false),
    /** Answer to {@link #VOTE}. */
    VOTE_RESP(false),
    /** Ask whether a vote would be granted, without raising terms (Raft thesis §9.6). */
    PRE_VOTE(false),
    /** Answer to {@link #PRE_VOTE}. */
    PRE_VOTE_RESP(false),
    /** Install a snapshot (leader to follower). */
    SNAP(false),
    /** Leader heartbeat, carrying the commit index the follower may use. */
    HEARTBEAT(false),
    /** Answer to {@link #HEARTBEAT}; echoes the context of read-index requests. */
    HEARTBEAT_RESP(false),
    /** Local: the transport could not reach a peer ({@link RawNode#reportUnreachable}). */
    UNREACHABLE(true),
    /** Local: outcome of sending a snapshot ({@link RawNode#reportSnapshot}). */
    SNAP_STATUS(true),
    /** Local: the leader checks that a quorum was recently active. */
    CHECK_QUORUM(true),
    /** Ask the leader to hand leadership to {@code from}; forwarded by followers. */
    TRANSFER_LEADER(false),
    /** Leader to transfer target: campaign now, ignoring the election timer and leases. */
    TIMEOUT_NOW(false),
    /** Request a read index; forwarded by followers to the leader. */
    READ_INDEX(false),
    /** Leader to follower: the read index for a forwarded {@link #READ_INDEX}. */
    READ_INDEX_RESP(false);

    private final boolean local;

    MessageType(boolean local) {
        this.local = local;
    }

    /** Whether this kind only ever originates inside a node and must not arrive from the network. */
    public boolean isLocal() {
        return local;
    }

    /** Whether this kind is an answer to another message (the sender may be a non-member). */
    public boolean isResponse() {
        return switch (this) {
            case APP_RESP, VOTE_RESP, PRE_VOTE_RESP, HEARTBEAT_RESP, READ_INDEX_RESP, UNREACHABLE -> true;
            default -> false;
        };
    }

    /** The response kind for a vote request kind. */
    public MessageType voteResponse() {
        return switch (this) {
            case VOTE -> VOTE_RESP;
            case PRE_VOTE -> PRE_VOTE_RESP;
            default -> throw new IllegalArgumentException("not a vote message: " + this);
        };
    }
}
