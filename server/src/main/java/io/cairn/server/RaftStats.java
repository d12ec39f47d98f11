package io.cairn.server;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.spi.transport.ServerStats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The Raft node's figures for monitoring (etcd's {@code /metrics}, {@code /v2/stats/self} and
 * {@code /v2/stats/leader}), counted by {@link RaftNode} as it goes: leader changes, failed proposals, the
 * durations of the log's synced writes and of the state's flushes, append requests sent and received, and
 * while this member leads, the round trip of appends to each follower.
 *
 * <p>Follower round trips are sampled: one append per follower is timed at a time, from its send to the
 * follower's answer; an answer that rejects it, or the follower reported unreachable, counts as a failure.
 * Threading: thread-safe; the counting methods are called on the Raft loop thread (and
 * {@link #received} on transport threads), readers on any thread.
 */
final class RaftStats {

    /** etcd's buckets for both disk histograms: 1 ms doubling 14 times, up to about 8 s. */
    static final List<Double> DISK_BUCKETS;

    static {
        List<Double> bounds = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            bounds.add(0.001 * (1L << i));
        }
        DISK_BUCKETS = List.copyOf(bounds);
    }

    private final Instant startTime = Instant.now();
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong proposalsFailed = new AtomicLong();
    private final AtomicLong appendsReceived = new AtomicLong();
    private final AtomicLong appendsSent = new AtomicLong();
    private final Durations walFsync = new Durations();
    private final Durations backendCommit = new Durations();
    private volatile Instant leaderSince;
    // guarded by this
    private final Map<Long, Follower> followers = new HashMap<>();

    /** The leader this member knows changed from {@code previous} to {@code current} (0: none). */
    void leaderChanged(long previous, long current) {
        if (current == previous) {
            return;
        }
        if (current != 0) {
            leaderChanges.incrementAndGet(); // etcd counts each new leader seen
            leaderSince = Instant.now();
        } else {
            leaderSince = null;
        }
        synchronized (this) {
            followers.clear(); // a new leadership measures afresh
        }
    }

    void proposalFailed() {
        proposalsFailed.incrementAndGet();
    }

    void walFsync(long nanos) {
        walFsync.record(nanos);
    }

    void backendCommit(long nanos) {
        backendCommit.record(nanos);
    }

    /** Messages this member (leading) sends: appends are counted and sampled for their round trip. */
    void sent(List<Message> messages, long now) {
        for (Message m : messages) {
            if (m.type() == MessageType.APP) {
                appendsSent.incrementAndGet();
                synchronized (this) {
                    Follower follower = followers.computeIfAbsent(m.to(), id -> new Follower());
                    if (follower.sentAt == 0) {
                        follower.sentAt = now;
                    }
                }
            }
        }
    }

    /** A message from a peer, before it is stepped. */
    void received(Message m, long now) {
        if (m.type() == MessageType.APP) {
            appendsReceived.incrementAndGet();
        } else if (m.type() == MessageType.APP_RESP) {
            synchronized (this) {
                Follower follower = followers.get(m.from());
                if (follower != null && follower.sentAt != 0) {
                    if (m.reject()) {
                        follower.failures++;
                    } else {
                        follower.succeeded((now - follower.sentAt) / 1e6);
                    }
                    follower.sentAt = 0;
                }
            }
        }
    }

    /** {@code peer} could not be reached: its append in flight, if any, failed. */
    synchronized void unreachable(long peer) {
        Follower follower = followers.get(peer);
        if (follower != null) {
            follower.failures++;
            follower.sentAt = 0;
        }
    }

    ServerStats snapshot(long memberId, String memberName, long leaderId, long term, boolean leading,
            long proposalsPending, long watchers, long watchStreams, long leases) {
        Map<Long, ServerStats.FollowerStats> byFollower = new HashMap<>();
        if (leading) {
            synchronized (this) {
                followers.forEach((id, follower) -> {
                    if (id != memberId) {
                        byFollower.put(id, follower.stats());
                    }
                });
            }
        }
        return new ServerStats(memberId, memberName, startTime, leaderId,
                java.util.Optional.ofNullable(leaderId == 0 ? null : leaderSince), term, leaderChanges.get(),
                proposalsPending, proposalsFailed.get(), walFsync.histogram(), backendCommit.histogram(), watchers,
                watchStreams, leases, appendsReceived.get(), appendsSent.get(), byFollower);
    }

    /** One follower's round trips; guarded by the enclosing RaftStats. */
    private static final class Follower {
        long sentAt; // System.nanoTime of the append being timed, 0 for none
        long successes;
        long failures;
        double current;
        double sum;
        double sumOfSquares;
        double minimum = Double.MAX_VALUE;
        double maximum;

        void succeeded(double millis) {
            successes++;
            current = millis;
            sum += millis;
            sumOfSquares += millis * millis;
            minimum = Math.min(minimum, millis);
            maximum = Math.max(maximum, millis);
        }

        ServerStats.FollowerStats stats() {
            if (successes == 0) {
                return new ServerStats.FollowerStats(0, failures, 0, 0, 0, 0, 0);
            }
            double average = sum / successes;
            double variance = Math.max(0, sumOfSquares / successes - average * average);
            return new ServerStats.FollowerStats(successes, failures, current, average, Math.sqrt(variance), minimum,
                    maximum);
        }
    }

    /** A classic histogram of durations over {@link #DISK_BUCKETS}. */
    private static final class Durations {
        private final AtomicLongArray counts = new AtomicLongArray(DISK_BUCKETS.size() + 1);
        private final DoubleAdder sumSeconds = new DoubleAdder();

        void record(long nanos) {
            double seconds = nanos / 1e9;
            int bucket = 0;
            while (bucket < DISK_BUCKETS.size() && seconds > DISK_BUCKETS.get(bucket)) {
                bucket++;
            }
            counts.incrementAndGet(bucket);
            sumSeconds.add(seconds);
        }

        ServerStats.Histogram histogram() {
            List<Long> snapshot = new ArrayList<>(counts.length());
            for (int i = 0; i < counts.length(); i++) {
                snapshot.add(counts.get(i));
            }
            return new ServerStats.Histogram(DISK_BUCKETS, snapshot, sumSeconds.sum());
        }
    }
}
