package io.cairn.raft;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A membership change, proposed with {@link RawNode#proposeConfChange} and applied, once its entry
 * is committed, with {@link RawNode#applyConfChange}.
 *
 * <p>With no changes it means "leave the joint configuration". With {@link ConfChangeTransition#AUTO}
 * and at most one voter affected it is a single-server change; otherwise the cluster passes through
 * a joint configuration (old and new voters must both agree, Raft paper §6).
 *
 * <p>Ownership: {@code context} is not copied (see {@link Entry}).
 *
 * @param transition how to move between configurations
 * @param changes the operations, applied in order; empty to leave a joint configuration
 * @param context opaque application data carried with the change, never null
 */
public record ConfChange(ConfChangeTransition transition, List<ConfChangeSingle> changes, byte[] context) {

    private static final byte[] NO_CONTEXT = new byte[0];

    public ConfChange {
        Objects.requireNonNull(transition, "transition is null");
        changes = List.copyOf(changes);
        Objects.requireNonNull(context, "context is null (use an empty array)");
    }

    /** A single-server change that adds (or promotes) a voter. */
    public static ConfChange addVoter(long id) {
        return of(new ConfChangeSingle(ConfChangeType.ADD_VOTER, id));
    }

    /** A single-server change that adds a learner (or demotes a voter). */
    public static ConfChange addLearner(long id) {
        return of(new ConfChangeSingle(ConfChangeType.ADD_LEARNER, id));
    }

    /** A single-server change that removes a node. */
    public static ConfChange remove(long id) {
        return of(new ConfChangeSingle(ConfChangeType.REMOVE, id));
    }

    /** Changes with {@link ConfChangeTransition#AUTO}. */
    public static ConfChange of(ConfChangeSingle... changes) {
        return new ConfChange(ConfChangeTransition.AUTO, List.of(changes), NO_CONTEXT);
    }

    /** A change through a joint configuration. */
    public static ConfChange joint(ConfChangeTransition transition, ConfChangeSingle... changes) {
        return new ConfChange(transition, List.of(changes), NO_CONTEXT);
    }

    /** Leave the current joint configuration. */
    public static ConfChange leaveJoint() {
        return new ConfChange(ConfChangeTransition.AUTO, List.of(), NO_CONTEXT);
    }

    /** Whether this change leaves a joint configuration. */
    public boolean isLeaveJoint() {
        return changes.isEmpty();
    }

    /**
     * Whether this change must go through a joint configuration, and if so whether the leader leaves
     * it by itself. Returns {@code null} for a simple change.
     */
    Boolean enterJointAutoLeave() {
        if (changes.isEmpty()) {
            return null;
        }
        if (transition == ConfChangeTransition.AUTO && changes.size() <= 1) {
            return null;
        }
        return transition != ConfChangeTransition.JOINT_EXPLICIT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && transition == c.transition && changes.equals(c.changes)
                && Arrays.equals(context, c.context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(transition, changes, Arrays.hashCode(context));
    }

    @Override
    public String toString() {
        if (changes.isEmpty()) {
            return "leave-joint";
        }
        StringBuilder sb = new StringBuilder();
        for (ConfChangeSingle c : changes) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(c);
        }
        if (transition != ConfChangeTransition.AUTO) {
            sb.append(transition == ConfChangeTransition.JOINT_IMPLICIT ? " (joint-implicit)" : " (joint-explicit)");
        }
        return sb.toString();
    }
}
