package io.cairn.raft;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The membership the leader tracks: voters (possibly joint), learners, and the outgoing voters
 * that become learners when the joint config is left.
 *
 * <p>Invariants (checked by {@link ConfChanger}): learners and voters (incoming or outgoing) are
 * disjoint, except that a node in {@code learnersNext} is an outgoing voter; {@code learnersNext}
 * and {@code autoLeave} are only set when joint.
 */
record TrackerConfig(JointConfig voters, Set<Long> learners, Set<Long> learnersNext, boolean autoLeave) {

    static final TrackerConfig EMPTY = new TrackerConfig(JointConfig.EMPTY, Set.of(), Set.of(), false);

    TrackerConfig {
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        learnersNext = Collections.unmodifiableSortedSet(new TreeSet<>(learnersNext));
    }

    ConfState toConfState() {
        return new ConfState(voters.incoming().ids(), learners, voters.outgoing().ids(), learnersNext, autoLeave);
    }

    @Override
    public String toString() {
        return toConfState().toString();
    }
}
