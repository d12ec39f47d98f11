package io.cairn.raft;

/**
 * A copy of the leader's replication state for one peer, as reported by {@link RawNode#status()}.
 *
 * @param match the highest index known to be replicated on the peer
 * @param next the next index the leader will send
 * @param state the replication state
 * @param learner whether the peer is a learner
 * @param recentActive whether the peer was heard from since the last check-quorum round
 * @param pendingSnapshot in {@link ProgressState#SNAPSHOT}: the index of the snapshot being sent, else 0
 * @param inflightMessages appends sent and not yet acknowledged
 * @param inflightBytes bytes of those appends
 */
public record ProgressStatus(long match, long next, ProgressState state, boolean learner, boolean recentActive,
        long pendingSnapshot, int inflightMessages, long inflightBytes) {
}
