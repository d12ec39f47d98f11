package io.cairn.raft;

/** How the leader confirms it is still leader before serving a read index. */
public enum ReadOnlyOption {
    /** A heartbeat round acknowledged by a quorum confirms each read (Raft thesis §6.4). */
    SAFE,
    /**
     * The leader trusts its lease: no follower can have elected another leader within an election
     * timeout since a quorum last answered. Depends on bounded clock drift; needs check-quorum.
     */
    LEASE_BASED
}
