package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of membership changes: every accepted change yields a configuration that
 * (a) satisfies the written invariants, (b) is rebuilt identically from its {@link ConfState}
 * (what a restart or a snapshot does), and (c) agrees with a plain-set model of the operations.
 */
class ConfChangerPropertyTest {

    @Test
    void randomChangeSequences() {
        SplittableRandom rnd = new SplittableRandom(5);
        int accepted = 0;
        for (int run = 0; run < 300; run++) {
            ProgressTracker t = new ProgressTracker(4, 0);
            install(t, ConfChanger.restore(t, 10, ConfState.ofVoters(1, 2, 3)));
            for (int op = 0; op < 20; op++) {
                ConfState before = t.confState();
                List<ConfChangeSingle> changes = new ArrayList<>();
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    changes.add(new ConfChangeSingle(ConfChangeType.values()[rnd.nextInt(3)], 1 + rnd.nextInt(6)));
                }
                ConfChanger ch = new ConfChanger(t, 10);
                ConfChanger.Result r;
                boolean joint;
                try {
                    if (changes.isEmpty()) {
                        r = ch.leaveJoint();
                        joint = false;
                    } else if (rnd.nextBoolean()) {
                        r = ch.enterJoint(rnd.nextBoolean(), changes);
                        joint = true;
                    } else {
                        r = ch.simple(changes);
                        joint = false;
                    }
                } catch (RaftException e) {
                    assertEquals(before, t.confState(), "a refused change must leave the configuration alone");
                    continue;
                }
                accepted++;
                ConfState after = r.config().toConfState();
                // (c) the model: apply the operations to plain sets.
                if (!changes.isEmpty()) {
                    TreeSet<Long> voters = new TreeSet<>(before.voters());
                    TreeSet<Long> learners = new TreeSet<>(before.learners());
                    for (ConfChangeSingle c : changes) {
                        switch (c.type()) {
                            case ADD_VOTER -> {
                                voters.add(c.nodeId());
                                learners.remove(c.nodeId());
                            }
                            case ADD_LEARNER -> {
                                voters.remove(c.nodeId());
                                learners.add(c.nodeId());
                            }
                            case REMOVE -> {
                                voters.remove(c.nodeId());
                                learners.remove(c.nodeId());
                            }
                        }
                    }
                    assertEquals(voters, after.voters(), "incoming voters after " + changes + " on " + before);
                    TreeSet<Long> learnersNow = new TreeSet<>(after.learners());
                    learnersNow.addAll(after.learnersNext());
                    assertEquals(learners, learnersNow, "learners (now or next) after " + changes + " on " + before);
                    if (joint) {
                        assertEquals(before.voters(), after.votersOutgoing(), "outgoing half is the old voters");
                    }
                } else {
                    TreeSet<Long> learners = new TreeSet<>(before.learners());
                    learners.addAll(before.learnersNext());
                    assertEquals(before.voters(), after.voters());
                    assertEquals(learners, after.learners(), "learners-next become learners on leave");
                    assertTrue(after.votersOutgoing().isEmpty());
                }
                // (b) rebuild from the ConfState alone.
                ProgressTracker fresh = new ProgressTracker(4, 0);
                assertEquals(after, ConfChanger.restore(fresh, 10, after).config().toConfState(), "restore of " + after);
                // progress exists exactly for the members
                Set<Long> members = new TreeSet<>(after.voters());
                members.addAll(after.votersOutgoing());
                members.addAll(after.learners());
                assertEquals(members, r.progress().keySet());
                install(t, r);
            }
        }
        assertTrue(accepted > 1000, "enough accepted changes to mean something: " + accepted);
    }

    private static void install(ProgressTracker t, ConfChanger.Result r) {
        t.config = r.config();
        t.progress = r.progress();
    }
}
