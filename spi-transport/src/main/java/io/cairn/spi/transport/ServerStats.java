package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A read-only snapshot of a member's own figures that the {@link io.cairn.api.Cairn} API does not carry,
 * for a transport's monitoring endpoints (etcd's {@code /metrics}, {@code /v2/stats/self} and
 * {@code /v2/stats/leader}). Taken by {@link ClientIdentities#serverStats()}; nothing in it changes afterwards.
 *
 * @param memberId this member's id
 * @param memberName this member's name ({@code --name})
 * @param startTime when this member started
 * @param leaderId the leader this member knows, 0 for none
 * @param leaderSince when this member first saw the current leader lead (empty without a leader)
 * @param term this member's Raft term
 * @param leaderChangesSeen how many times this member saw a new leader (etcd's
 *     {@code etcd_server_leader_changes_seen_total})
 * @param proposalsPending proposals waiting to be applied ({@code etcd_server_proposals_pending})
 * @param proposalsFailed proposals that failed: dropped by Raft, timed out, or lost with a leader change
 *     ({@code etcd_server_proposals_failed_total})
 * @param walFsync how long the synced writes of the Raft log took ({@code etcd_disk_wal_fsync_duration_seconds})
 * @param backendCommit how long the durable commits (flushes) of the applied state took
 *     ({@code etcd_disk_backend_commit_duration_seconds})
 * @param watchers watchers open on this member, all streams together
 * @param watchStreams watch streams open on this member
 * @param leases leases this member holds
 * @param appendsReceived Raft append requests this member received from a leader
 * @param appendsSent Raft append requests this member sent as leader
 * @param followers while this member leads: the append round trips to each follower, by member id; empty
 *     otherwise
 */
@Experimental("new with issue 7")
public record ServerStats(long memberId, String memberName, Instant startTime, long leaderId,
        Optional<Instant> leaderSince, long term, long leaderChangesSeen, long proposalsPending, long proposalsFailed,
        Histogram walFsync, Histogram backendCommit, long watchers, long watchStreams, long leases,
        long appendsReceived, long appendsSent, Map<Long, FollowerStats> followers) {

    public ServerStats {
        Objects.requireNonNull(memberName, "memberName");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(leaderSince, "leaderSince");
        Objects.requireNonNull(walFsync, "walFsync");
        Objects.requireNonNull(backendCommit, "backendCommit");
        followers = Map.copyOf(followers);
    }

    /**
     * A distribution of durations in seconds, as a Prometheus classic histogram.
     *
     * @param upperBounds the buckets' upper bounds in seconds, increasing, without +Inf
     * @param bucketCounts how many durations fell in each bucket (not cumulative): one more than
     *     {@code upperBounds}, the last for those above the last bound
     * @param sumSeconds the sum of every duration
     */
    public record Histogram(List<Double> upperBounds, List<Long> bucketCounts, double sumSeconds) {

        /** @throws IllegalArgumentException if there is not one count more than bounds */
        public Histogram {
            upperBounds = List.copyOf(upperBounds);
            bucketCounts = List.copyOf(bucketCounts);
            if (bucketCounts.size() != upperBounds.size() + 1) {
                throw new IllegalArgumentException("need " + (upperBounds.size() + 1) + " bucket counts, got "
                        + bucketCounts.size());
            }
        }

        /** How many durations there are. */
        public long count() {
            return bucketCounts.stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The leader's view of one follower (etcd's {@code /v2/stats/leader}): the round trips of its append
     * requests, in milliseconds, and how many were accepted or failed (rejected, or the follower unreachable).
     * The latency figures are 0 before the first round trip.
     */
    public record FollowerStats(long successes, long failures, double currentMillis, double averageMillis,
            double standardDeviationMillis, double minimumMillis, double maximumMillis) {
    }
}
