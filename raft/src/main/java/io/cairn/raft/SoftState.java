package io.cairn.raft;

import java.util.Objects;

/**
 * Volatile state worth reporting but not persisting.
 *
 * @param leader the id of the leader this node knows of, 0 for none
 * @param role this node's role
 */
public record SoftState(long leader, StateRole role) {
    public SoftState {
        Objects.requireNonNull(role, "role is null");
    }
}
