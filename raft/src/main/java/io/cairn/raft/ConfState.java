package io.cairn.raft;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A membership configuration, as stored in snapshots and returned by
 * {@link RawNode#applyConfChange}. Sets are immutable and iterate in ascending id order.
 *
 * <p>Invariants: a node is at most one of voter (incoming) or learner; {@code learnersNext} holds
 * the outgoing voters that become learners when the joint configuration is left, so none of them
 * is in {@code learners}; {@code votersOutgoing} is empty unless the configuration is joint.
 *
 * @param voters the (incoming) voters
 * @param learners non-voting members that receive the log
 * @param votersOutgoing the voters of the old configuration while joint (§6 of the Raft paper), else empty
 * @param learnersNext members that will be added as learners when the joint configuration is left
 * @param autoLeave whether the leader leaves the joint configuration by itself once it is committed
 */
public record ConfState(Set<Long> voters, Set<Long> learners, Set<Long> votersOutgoing, Set<Long> learnersNext,
        boolean autoLeave) {

    /** No members at all. */
    public static final ConfState EMPTY = new ConfState(Set.of(), Set.of(), Set.of(), Set.of(), false);

    public ConfState {
        voters = sorted(voters);
        learners = sorted(learners);
        votersOutgoing = sorted(votersOutgoing);
        learnersNext = sorted(learnersNext);
        for (Long id : learners) {
            if (voters.contains(id)) {
                throw new IllegalArgumentException("node " + id + " is both voter and learner in " + voters + " / " + learners);
            }
        }
        if (votersOutgoing.isEmpty() && (!learnersNext.isEmpty() || autoLeave)) {
            throw new IllegalArgumentException("learnersNext and autoLeave need a joint configuration");
        }
    }

    /** A simple (non-joint) configuration of voters. */
    public static ConfState ofVoters(long... ids) {
        TreeSet<Long> set = new TreeSet<>();
        for (long id : ids) {
            set.add(id);
        }
        return new ConfState(set, Set.of(), Set.of(), Set.of(), false);
    }

    /** A simple configuration of voters and learners. */
    public static ConfState of(Collection<Long> voters, Collection<Long> learners) {
        return new ConfState(Set.copyOf(voters), Set.copyOf(learners), Set.of(), Set.of(), false);
    }

    /** Whether this is a joint configuration. */
    public boolean isJoint() {
        return !votersOutgoing.isEmpty();
    }

    private static Set<Long> sorted(Set<Long> ids) {
        if (ids == null) {
            throw new NullPointerException("conf state set is null");
        }
        for (Long id : ids) {
            if (id == null || id <= 0) {
                throw new IllegalArgumentException("node ids must be > 0, got " + id);
            }
        }
        return Collections.unmodifiableSortedSet(new TreeSet<>(ids));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("voters=").append(ids(voters));
        if (isJoint()) {
            sb.append("&&").append(ids(votersOutgoing));
        }
        if (!learners.isEmpty()) {
            sb.append(" learners=").append(ids(learners));
        }
        if (!learnersNext.isEmpty()) {
            sb.append(" learners_next=").append(ids(learnersNext));
        }
        if (autoLeave) {
            sb.append(" autoleave");
        }
        return sb.toString();
    }

    private static String ids(Set<Long> ids) {
        StringBuilder sb = new StringBuilder("(");
        for (Long id : ids) {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append(id);
        }
        return sb.append(')').toString();
    }
}
