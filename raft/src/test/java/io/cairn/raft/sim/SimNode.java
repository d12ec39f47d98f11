package io.cairn.raft.sim;

import io.cairn.raft.ConfState;
import io.cairn.raft.HardState;
import io.cairn.raft.MemoryRaftStorage;
import io.cairn.raft.RawNode;
import io.cairn.raft.Snapshot;
import io.cairn.raft.StateRole;
import java.nio.ByteBuffer;

/**
 * One simulated server: a disk that survives crashes, and a process (the {@link RawNode} and the
 * state machine) that does not.
 *
 * <p>The disk is a {@link MemoryRaftStorage} plus the hard state as of the last synced write: a
 * write with {@code mustSync == false} (only the commit index changed) may be lost in a crash.
 * Entries, term, vote and snapshots are always written synced (the Ready contract), and a sync
 * flushes every earlier write.
 *
 * <p>The state machine is a chain hash over the applied entries (see {@link Hashes#chain}) and
 * the highest member id ever in the configuration (the application's membership record, used to
 * refuse re-adding a removed id, as etcd's server does); a snapshot's data is (index, chain hash,
 * that id), so installing one sets the state exactly.
 */
final class SimNode {
    final long id;
    final long tickIntervalMs;

    // ---- disk: survives crashes
    MemoryRaftStorage disk;
    /** The hard state as of the last synced write. */
    HardState syncedHardState = HardState.EMPTY;

    // ---- process: lost in a crash
    RawNode raw;
    /** Bumped on crash and restart, so events scheduled for an earlier incarnation are ignored. */
    int incarnation;
    /** One of the members the cluster was bootstrapped with. */
    boolean initialMember;
    /** Removed from the configuration for good: stopped and never restarted. */
    boolean decommissioned;
    boolean readyScheduled;
    long applied;
    long appliedChain = Hashes.EMPTY_CHAIN;
    /** State machine: the highest id that was ever a member; an id at or below it not in the configuration was removed. */
    long maxMemberEver;
    ConfState conf;
    long term;
    StateRole role = StateRole.FOLLOWER;
    long lead;
    /** The engine's applied index last read from its status (must not go backwards). */
    long engineApplied;

    SimNode(long id, long tickIntervalMs, MemoryRaftStorage disk) {
        this.id = id;
        this.tickIntervalMs = tickIntervalMs;
        this.disk = disk;
        this.conf = disk.initialState().confState();
    }

    boolean up() {
        return raw != null;
    }

    /** Whether {@code conf} still lists {@code id} in any role. */
    static boolean isMember(ConfState conf, long id) {
        return conf.voters().contains(id) || conf.learners().contains(id) || conf.votersOutgoing().contains(id)
                || conf.learnersNext().contains(id);
    }

    static byte[] encodeSnapshotData(long index, long chain, long maxMemberEver) {
        return ByteBuffer.allocate(24).putLong(index).putLong(chain).putLong(maxMemberEver).array();
    }

    /** The highest member id in a snapshot's state (0 for the bootstrap snapshot at index 0). */
    static long snapshotMaxMember(Snapshot s) {
        return s.metadata().index() == 0 ? 0 : ByteBuffer.wrap(s.data()).getLong(16);
    }

    /** The chain hash in a snapshot's data ({@link Hashes#EMPTY_CHAIN} for the bootstrap snapshot at index 0). */
    static long snapshotChain(Snapshot s) {
        if (s.metadata().index() == 0) {
            return Hashes.EMPTY_CHAIN;
        }
        if (s.data().length != 24) {
            throw new InvariantViolation("snapshot at " + s.metadata().index() + " carries " + s.data().length
                    + " bytes, not the 24 the simulator wrote");
        }
        ByteBuffer b = ByteBuffer.wrap(s.data());
        long index = b.getLong();
        if (index != s.metadata().index()) {
            throw new InvariantViolation("snapshot metadata says index " + s.metadata().index()
                    + " but its state was taken at " + index);
        }
        return b.getLong();
    }

    @Override
    public String toString() {
        return "node " + id + (up() ? "" : decommissioned ? " (removed)" : " (down)") + " term " + term + " " + role
                + " applied " + applied + " " + conf;
    }
}
