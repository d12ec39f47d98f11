package io.cairn.raft;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes the configuration and progress map that result from a {@link ConfChange}, without
 * touching the tracker it starts from (a failed change leaves everything as it was).
 */
final class ConfChanger {

    /** Result of a change: the new config and progress map. */
    record Result(TrackerConfig config, TreeMap<Long, Progress> progress) {}

    private final ProgressTracker tracker;
    private final long lastIndex;

    // Working copies.
    private TreeSet<Long> incoming;
    private TreeSet<Long> outgoing;
    private TreeSet<Long> learners;
    private TreeSet<Long> learnersNext;
    private boolean autoLeave;
    private TreeMap<Long, Progress> progress;

    ConfChanger(ProgressTracker tracker, long lastIndex) {
        this.tracker = tracker;
        this.lastIndex = lastIndex;
    }

    private void copy() {
        TrackerConfig c = tracker.config;
        incoming = new TreeSet<>(c.voters().incoming().ids());
        outgoing = new TreeSet<>(c.voters().outgoing().ids());
        learners = new TreeSet<>(c.learners());
        learnersNext = new TreeSet<>(c.learnersNext());
        autoLeave = c.autoLeave();
        // Progress objects are shared with the tracker except where a flag changes; copy them so a
        // failed change leaves the tracker untouched.
        progress = new TreeMap<>();
        tracker.progress.forEach((id, pr) -> {
            Progress copy = new Progress(pr.match, pr.next, pr.inflights, pr.isLearner);
            copy.state = pr.state;
            copy.pendingSnapshot = pr.pendingSnapshot;
            copy.recentActive = pr.recentActive;
            copy.probeSent = pr.probeSent;
            progress.put(id, copy);
        });
    }

    private Result result() {
        TrackerConfig cfg = new TrackerConfig(
                new JointConfig(new MajorityConfig(incoming), new MajorityConfig(outgoing)), learners, learnersNext,
                autoLeave);
        checkInvariants(cfg);
        return new Result(cfg, progress);
    }

    private void checkInvariants(TrackerConfig cfg) {
        for (long id : cfg.voters().incoming().ids()) {
            require(progress.containsKey(id), "no progress for voter " + id);
        }
        for (long id : cfg.voters().outgoing().ids()) {
            require(progress.containsKey(id), "no progress for outgoing voter " + id);
        }
        for (long id : cfg.learners()) {
            require(progress.containsKey(id) && progress.get(id).isLearner, "learner " + id + " not marked learner");
            require(!cfg.voters().contains(id), "learner " + id + " is also a voter");
        }
        for (long id : cfg.learnersNext()) {
            require(cfg.voters().outgoing().ids().contains(id), "learner-next " + id + " is not an outgoing voter");
            require(!progress.get(id).isLearner, "learner-next " + id + " already marked learner");
        }
        if (!cfg.voters().isJoint()) {
            require(cfg.learnersNext().isEmpty() && !cfg.autoLeave(), "learnersNext/autoLeave outside a joint config");
        }
        require(progress.size() == countMembers(cfg), "progress map has entries for non-members: " + progress.keySet());
    }

    private static int countMembers(TrackerConfig cfg) {
        Set<Long> all = new TreeSet<>(cfg.voters().incoming().ids());
        all.addAll(cfg.voters().outgoing().ids());
        all.addAll(cfg.learners());
        return all.size();
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new RaftException("invalid configuration: " + problem);
        }
    }

    /** Enters a joint configuration: the current voters become the outgoing half, then the changes apply. */
    Result enterJoint(boolean autoLeaveAfter, List<ConfChangeSingle> changes) {
        copy();
        if (!outgoing.isEmpty()) {
            throw new RaftException("conf change rejected: the configuration is already joint");
        }
        if (incoming.isEmpty()) {
            throw new RaftException("conf change rejected: cannot make a zero-voter configuration joint");
        }
        outgoing.addAll(incoming);
        apply(changes);
        autoLeave = autoLeaveAfter;
        return result();
    }

    /** Leaves a joint configuration: outgoing voters not kept are dropped, learnersNext become learners. */
    Result leaveJoint() {
        copy();
        if (outgoing.isEmpty()) {
            throw new RaftException("conf change rejected: cannot leave a joint configuration when not joint");
        }
        for (long id : learnersNext) {
            learners.add(id);
            progress.get(id).isLearner = true;
        }
        learnersNext.clear();
        for (long id : outgoing) {
            if (!incoming.contains(id) && !learners.contains(id)) {
                progress.remove(id);
            }
        }
        outgoing.clear();
        autoLeave = false;
        return result();
    }

    /** A change that alters at most one voter, applied directly (no joint phase). */
    Result simple(List<ConfChangeSingle> changes) {
        copy();
        if (!outgoing.isEmpty()) {
            throw new RaftException("conf change rejected: cannot apply a simple change in a joint configuration");
        }
        TreeSet<Long> before = new TreeSet<>(incoming);
        apply(changes);
        int diff = 0;
        for (long id : before) {
            if (!incoming.contains(id)) {
                diff++;
            }
        }
        for (long id : incoming) {
            if (!before.contains(id)) {
                diff++;
            }
        }
        if (diff > 1) {
            throw new RaftException("conf change rejected: more than one voter changed without a joint configuration");
        }
        return result();
    }

    /** Rebuilds the configuration of a {@link ConfState} from nothing (start-up, snapshot). */
    static Result restore(ProgressTracker empty, long lastIndex, ConfState cs) {
        ProgressTracker t = empty;
        ConfChanger ch;
        Result r;
        if (cs.votersOutgoing().isEmpty()) {
            // Simple config: add members one at a time (each step changes at most one voter).
            for (long id : cs.voters()) {
                r = new ConfChanger(t, lastIndex).simple(List.of(new ConfChangeSingle(ConfChangeType.ADD_VOTER, id)));
                t = install(t, r);
            }
            for (long id : cs.learners()) {
                r = new ConfChanger(t, lastIndex).simple(List.of(new ConfChangeSingle(ConfChangeType.ADD_LEARNER, id)));
                t = install(t, r);
            }
        } else {
            for (long id : cs.votersOutgoing()) {
                r = new ConfChanger(t, lastIndex).simple(List.of(new ConfChangeSingle(ConfChangeType.ADD_VOTER, id)));
                t = install(t, r);
            }
            List<ConfChangeSingle> in = new java.util.ArrayList<>();
            for (long id : cs.votersOutgoing()) {
                in.add(new ConfChangeSingle(ConfChangeType.REMOVE, id));
            }
            for (long id : cs.voters()) {
                in.add(new ConfChangeSingle(ConfChangeType.ADD_VOTER, id));
            }
            for (long id : cs.learners()) {
                in.add(new ConfChangeSingle(ConfChangeType.ADD_LEARNER, id));
            }
            for (long id : cs.learnersNext()) {
                in.add(new ConfChangeSingle(ConfChangeType.ADD_LEARNER, id));
            }
            ch = new ConfChanger(t, lastIndex);
            t = install(t, ch.enterJoint(cs.autoLeave(), in));
        }
        return new Result(t.config, t.progress);
    }

    private static ProgressTracker install(ProgressTracker t, Result r) {
        t.config = r.config();
        t.progress = r.progress();
        return t;
    }

    private void apply(List<ConfChangeSingle> changes) {
        for (ConfChangeSingle cc : changes) {
            switch (cc.type()) {
                case ADD_VOTER -> makeVoter(cc.nodeId());
                case ADD_LEARNER -> makeLearner(cc.nodeId());
                case REMOVE -> remove(cc.nodeId());
            }
        }
        if (incoming.isEmpty()) {
            throw new RaftException("conf change rejected: it removes all voters");
        }
    }

    private void makeVoter(long id) {
        Progress pr = progress.get(id);
        if (pr == null) {
            initProgress(id, false);
            return;
        }
        pr.isLearner = false;
        learners.remove(id);
        learnersNext.remove(id);
        incoming.add(id);
    }

    private void makeLearner(long id) {
        Progress pr = progress.get(id);
        if (pr == null) {
            initProgress(id, true);
            return;
        }
        if (pr.isLearner) {
            return;
        }
        remove(id);
        progress.put(id, pr);
        // An outgoing voter cannot become a learner before the joint config is left: it would be
        // voter and learner at once. It is staged in learnersNext instead.
        if (outgoing.contains(id)) {
            learnersNext.add(id);
        } else {
            pr.isLearner = true;
            learners.add(id);
        }
    }

    private void remove(long id) {
        if (!progress.containsKey(id)) {
            return;
        }
        incoming.remove(id);
        learners.remove(id);
        learnersNext.remove(id);
        if (!outgoing.contains(id)) {
            progress.remove(id);
        }
    }

    private void initProgress(long id, boolean learner) {
        if (learner) {
            learners.add(id);
        } else {
            incoming.add(id);
        }
        // Probe from the leader's last index; a new member counts as recently active so that
        // check-quorum does not step the leader down before it was ever heard from.
        Progress pr = new Progress(0, Math.max(lastIndex, 1),
                new Inflights(tracker.maxInflight, tracker.maxInflightBytes), learner);
        pr.recentActive = true;
        progress.put(id, pr);
    }
}
