package io.cairn.raft.sim;

import java.util.SplittableRandom;

/**
 * Everything a simulation run varies, drawn from its seed (swarm testing, as TigerBeetle's VOPR
 * {@code options_swarm}): cluster shape, engine settings and fault rates. Some seeds get no
 * crashes, some no partitions, some a lossy network, so that each fault is also seen alone.
 *
 * <p>Times are simulated milliseconds. A "mean interval" of 0 turns that kind of event off.
 *
 * @param voters initial voters (ids 1..voters)
 * @param learners initial learners (ids after the voters)
 * @param electionTick engine election timeout in ticks
 * @param heartbeatTick engine heartbeat interval in ticks
 * @param preVote engine pre-vote
 * @param checkQuorum engine check-quorum
 * @param maxSizePerMsg engine append size limit
 * @param maxInflightMsgs engine appends in flight per follower
 * @param maxUncommittedSize engine limit on the uncommitted tail (0 = none)
 * @param disableForwarding followers refuse proposals instead of forwarding them
 * @param tickMs nominal tick interval
 * @param tickDriftMs each node's tick interval is off by up to this much
 * @param minDelayMs minimum network delay
 * @param maxDelayMs maximum network delay (delays are uniform between; this reorders messages)
 * @param dropRate probability a message is lost
 * @param duplicateRate probability a message is delivered twice
 * @param ioDelayMaxMs how long a node may take before handling its Ready
 * @param partitionIntervalMs mean time between partitions
 * @param partitionMaxMs longest partition
 * @param oneWayRate probability that a partition blocks one direction only
 * @param crashIntervalMs mean time between crashes
 * @param downMaxMs longest downtime of a crashed node
 * @param loseUnsyncedRate probability that a crash also loses the disk's unsynced writes
 * @param proposalIntervalMs mean time between client proposals
 * @param proposalBatchMax proposals sent together, at most
 * @param payloadMaxBytes extra payload per proposal, at most
 * @param confChangeIntervalMs mean time between membership changes
 * @param transferIntervalMs mean time between leader transfers
 * @param compactEvery a node snapshots and compacts its log after this many applied entries (0 = never)
 * @param compactKeep entries kept before the snapshot index when compacting
 * @param freshSnapshots a leader always sends its current state as the snapshot, not the stored one
 * @param logBootstrap initial members bootstrap with {@code RawNode.bootstrap} (membership as log entries 1..n)
 *     and joining nodes start on empty storage; otherwise every node starts from a storage whose
 *     configuration at index 0 is the initial one (needed for initial learners)
 * @param readIntervalMs mean time between linearizable reads ({@code RawNode.readIndex}, safe option)
 * @param faultPhaseMs length of the phase with faults
 */
record SwarmOptions(int voters, int learners, int electionTick, int heartbeatTick, boolean preVote, boolean checkQuorum,
        long maxSizePerMsg, int maxInflightMsgs, long maxUncommittedSize, boolean disableForwarding, int tickMs,
        int tickDriftMs, int minDelayMs, int maxDelayMs, double dropRate, double duplicateRate, int ioDelayMaxMs,
        int partitionIntervalMs, int partitionMaxMs, double oneWayRate, int crashIntervalMs, int downMaxMs,
        double loseUnsyncedRate, int proposalIntervalMs, int proposalBatchMax, int payloadMaxBytes,
        int confChangeIntervalMs, int transferIntervalMs, int compactEvery, int compactKeep, boolean freshSnapshots, boolean logBootstrap, int readIntervalMs, int faultPhaseMs) {

    /** Draws the options of one run. */
    static SwarmOptions draw(SplittableRandom r, int faultPhaseMs) {
        int sizeRoll = r.nextInt(100);
        int voters = sizeRoll < 20 ? 1 : sizeRoll < 60 ? 3 : 5;
        int learners = r.nextInt(100) < 30 ? 1 + r.nextInt(2) : 0;
        int electionTick = 5 + r.nextInt(16);
        int heartbeatTick = 1 + r.nextInt(Math.min(3, electionTick - 1));
        boolean preVote = r.nextBoolean();
        boolean checkQuorum = r.nextBoolean();
        long maxSizePerMsg = pick(r, 64L, 256L, 4096L, 1L << 20);
        int maxInflight = (int) pick(r, 1L, 4L, 256L);
        long maxUncommitted = r.nextInt(100) < 20 ? 256 + r.nextInt(4096) : 0;
        boolean disableForwarding = r.nextInt(100) < 10;
        int tickMs = 10;
        int drift = r.nextInt(3);
        int minDelay = r.nextInt(4);
        int maxDelay = minDelay + (int) pick(r, 1L, 5L, 20L, 60L, 200L);
        double drop = r.nextInt(100) < 25 ? 0 : square(r) * 0.4;
        double dup = r.nextInt(100) < 40 ? 0 : square(r) * 0.2;
        int ioDelay = r.nextInt(6);
        int partitionInterval = r.nextInt(100) < 25 ? 0 : 100 + r.nextInt(2000);
        int partitionMax = 50 + r.nextInt(1500);
        double oneWay = r.nextDouble();
        int crashInterval = r.nextInt(100) < 25 ? 0 : 150 + r.nextInt(2000);
        int downMax = 10 + r.nextInt(1500);
        double loseUnsynced = r.nextDouble();
        int proposalInterval = 1 + r.nextInt(40);
        int batch = 1 + r.nextInt(4);
        int payload = r.nextInt(48);
        int confInterval = r.nextInt(100) < 30 ? 0 : 100 + r.nextInt(1500);
        int transferInterval = r.nextInt(100) < 40 ? 0 : 100 + r.nextInt(2000);
        int compactEvery = r.nextInt(100) < 30 ? 0 : 2 + r.nextInt(60);
        int compactKeep = r.nextInt(8);
        boolean freshSnapshots = r.nextBoolean();
        boolean logBootstrap = learners == 0 && r.nextBoolean();
        int readInterval = r.nextInt(100) < 25 ? 0 : 2 + r.nextInt(60);
        return new SwarmOptions(voters, learners, electionTick, heartbeatTick, preVote, checkQuorum, maxSizePerMsg,
                maxInflight, maxUncommitted, disableForwarding, tickMs, drift, minDelay, maxDelay, drop, dup, ioDelay,
                partitionInterval, partitionMax, oneWay, crashInterval, downMax, loseUnsynced, proposalInterval, batch,
                payload, confInterval, transferInterval, compactEvery, compactKeep, freshSnapshots, logBootstrap, readInterval, faultPhaseMs);
    }

    private static double square(SplittableRandom r) {
        double d = r.nextDouble();
        return d * d;
    }

    private static long pick(SplittableRandom r, long... choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** The election timeout in simulated milliseconds (the engine randomizes up to twice this). */
    long electionTimeoutMs() {
        return (long) electionTick * tickMs;
    }
}
