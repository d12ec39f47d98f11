package io.cairn.raft;

import java.util.Objects;

/**
 * One operation of a {@link ConfChange}.
 *
 * @param type the operation
 * @param nodeId the node it applies to, {@code > 0}
 */
public record ConfChangeSingle(ConfChangeType type, long nodeId) {
    public ConfChangeSingle {
        Objects.requireNonNull(type, "conf change type is null");
        if (nodeId <= 0) {
            throw new IllegalArgumentException("conf change node id must be > 0, got " + nodeId);
        }
    }

    @Override
    public String toString() {
        return switch (type) {
            case ADD_VOTER -> "v" + nodeId;
            case ADD_LEARNER -> "l" + nodeId;
            case REMOVE -> "r" + nodeId;
        };
    }
}
