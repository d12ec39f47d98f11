package io.cairn.raft;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Configuration of one {@link RawNode}. Immutable; build with {@link #builder(long, RandomGenerator)}.
 *
 * @param id this node's id, {@code > 0}
 * @param electionTick ticks without hearing from a leader before a follower campaigns; the actual
 *     timeout is drawn uniformly from {@code [electionTick, 2 * electionTick)} on each reset
 *     (Raft §5.2). Must be greater than {@code heartbeatTick}; 10× is usual.
 * @param heartbeatTick ticks between leader heartbeats, {@code > 0}
 * @param random the only source of randomness of the node (seed it in tests); used only from the
 *     thread driving the node
 * @param preVote whether to run a pre-vote round before raising the term (thesis §9.6), so a
 *     partitioned node rejoining does not disrupt the cluster
 * @param checkQuorum whether a leader steps down when it has not heard from a quorum within an
 *     election timeout; also makes nodes ignore vote requests while they have a live leader
 *     (thesis §4.2.3)
 * @param maxSizePerMsg maximum bytes of entries in one append message (at least one entry is
 *     always sent); also caps the entries the leader reads from storage at once
 * @param maxInflightMsgs maximum appends in flight to one follower in replicate state, {@code > 0}
 * @param maxInflightBytes maximum bytes of appends in flight to one follower; 0 means no limit
 * @param maxUncommittedEntriesSize maximum payload bytes in the leader's uncommitted log tail
 *     before proposals are refused; 0 means no limit
 * @param maxCommittedSizePerReady maximum bytes of committed entries in one {@link Ready}; 0 means
 *     {@code maxSizePerMsg}
 * @param readOnlyOption how read indexes are confirmed; {@link ReadOnlyOption#LEASE_BASED}
 *     requires {@code checkQuorum}
 * @param applied the applied index of the state machine at start-up (0 for a fresh node)
 * @param disableProposalForwarding if set, a follower refuses proposals instead of forwarding them
 */
public record RaftConfig(long id, int electionTick, int heartbeatTick, RandomGenerator random, boolean preVote,
        boolean checkQuorum, long maxSizePerMsg, int maxInflightMsgs, long maxInflightBytes,
        long maxUncommittedEntriesSize, long maxCommittedSizePerReady, ReadOnlyOption readOnlyOption, long applied,
        boolean disableProposalForwarding) {

    public RaftConfig {
        if (id <= 0) {
            throw new IllegalArgumentException("raft node id must be > 0, got " + id);
        }
        if (heartbeatTick <= 0) {
            throw new IllegalArgumentException("heartbeatTick must be > 0, got " + heartbeatTick);
        }
        if (electionTick <= heartbeatTick) {
            throw new IllegalArgumentException(
                    "electionTick (" + electionTick + ") must be greater than heartbeatTick (" + heartbeatTick + ")");
        }
        Objects.requireNonNull(random, "random is null (pass a seeded RandomGenerator)");
        Objects.requireNonNull(readOnlyOption, "readOnlyOption is null");
        if (maxSizePerMsg <= 0) {
            throw new IllegalArgumentException("maxSizePerMsg must be > 0, got " + maxSizePerMsg);
        }
        if (maxInflightMsgs <= 0) {
            throw new IllegalArgumentException("maxInflightMsgs must be > 0, got " + maxInflightMsgs);
        }
        if (maxInflightBytes < 0 || maxUncommittedEntriesSize < 0 || maxCommittedSizePerReady < 0 || applied < 0) {
            throw new IllegalArgumentException("size limits and applied must be >= 0");
        }
        if (maxInflightBytes != 0 && maxInflightBytes < maxSizePerMsg) {
            throw new IllegalArgumentException("maxInflightBytes (" + maxInflightBytes
                    + ") must be 0 (unlimited) or at least maxSizePerMsg (" + maxSizePerMsg + ")");
        }
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("readOnlyOption LEASE_BASED requires checkQuorum");
        }
    }

    /** A builder with usual defaults: election 10 ticks, heartbeat 1, 1 MiB messages, 256 in flight. */
    public static Builder builder(long id, RandomGenerator random) {
        return new Builder(id, random);
    }

    /** Builder for {@link RaftConfig}; not thread-safe. */
    public static final class Builder {
        private final long id;
        private final RandomGenerator random;
        private int electionTick = 10;
        private int heartbeatTick = 1;
        private boolean preVote;
        private boolean checkQuorum;
        private long maxSizePerMsg = 1 << 20;
        private int maxInflightMsgs = 256;
        private long maxInflightBytes;
        private long maxUncommittedEntriesSize;
        private long maxCommittedSizePerReady;
        private ReadOnlyOption readOnlyOption = ReadOnlyOption.SAFE;
        private long applied;
        private boolean disableProposalForwarding;

        private Builder(long id, RandomGenerator random) {
            this.id = id;
            this.random = random;
        }

        public Builder electionTick(int v) { electionTick = v; return this; }
        public Builder heartbeatTick(int v) { heartbeatTick = v; return this; }
        public Builder preVote(boolean v) { preVote = v; return this; }
        public Builder checkQuorum(boolean v) { checkQuorum = v; return this; }
        public Builder maxSizePerMsg(long v) { maxSizePerMsg = v; return this; }
        public Builder maxInflightMsgs(int v) { maxInflightMsgs = v; return this; }
        public Builder maxInflightBytes(long v) { maxInflightBytes = v; return this; }
        public Builder maxUncommittedEntriesSize(long v) { maxUncommittedEntriesSize = v; return this; }
        public Builder maxCommittedSizePerReady(long v) { maxCommittedSizePerReady = v; return this; }
        public Builder readOnlyOption(ReadOnlyOption v) { readOnlyOption = v; return this; }
        public Builder applied(long v) { applied = v; return this; }
        public Builder disableProposalForwarding(boolean v) { disableProposalForwarding = v; return this; }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public RaftConfig build() {
            return new RaftConfig(id, electionTick, heartbeatTick, random, preVote, checkQuorum, maxSizePerMsg,
                    maxInflightMsgs, maxInflightBytes, maxUncommittedEntriesSize, maxCommittedSizePerReady,
                    readOnlyOption, applied, disableProposalForwarding);
        }
    }
}
