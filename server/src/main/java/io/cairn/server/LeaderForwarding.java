package io.cairn.server;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.server.lease.Lessor;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.spi.transport.PeerEndpoint;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Calls that only the leader can answer, forwarded from a follower to the leader over the peer
 * transport, as etcd forwards them over its peer HTTP API: lease keep-alive and time-to-live (the
 * leader alone keeps the deadlines) and, for MemberPromote, whether a learner is in sync (the leader
 * alone knows how far each member's log matches its own). They travel as frames of their own beside
 * the Raft messages: first byte {@code 'L'} (Raft frames start with {@code 'M'}), then a kind, a
 * request id and the values, each a big-endian long.
 *
 * <p>A lost frame is a lost call: the follower's future fails with etcd's "request timed out" after
 * the request timeout. Threading: any thread.
 */
final class LeaderForwarding {

    static final byte FRAME_TAG = 'L';
    private static final byte KEEP_ALIVE = 1, TIME_TO_LIVE = 2, ANSWER = 3, NOT_PRIMARY = 4, LEARNER_IN_SYNC = 5;

    /** What the leader answers: the TTL (keep-alive) or remaining and granted TTL (time-to-live); 1 or 0 for in sync. */
    record Answer(long ttl, long grantedTtl) {}

    /** The leader's side of the learner check (the node's). */
    @FunctionalInterface
    interface LearnerCheck {
        /** Whether learner {@code id} is in sync with this member, which must lead; false on a follower. */
        CompletableFuture<Boolean> inSync(long id);
    }

    private final Supplier<PeerEndpoint> endpoint;
    private final LongSupplier leader;
    private final BooleanSupplier isLeader;
    private final LearnerCheck learnerCheck;
    private final Lessor lessor;
    private final MvccStore store;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<Answer>> waiting = new ConcurrentHashMap<>();

    LeaderForwarding(Supplier<PeerEndpoint> endpoint, LongSupplier leader, BooleanSupplier isLeader,
                     LearnerCheck learnerCheck, Lessor lessor, MvccStore store) {
        this.endpoint = endpoint;
        this.leader = leader;
        this.isLeader = isLeader;
        this.learnerCheck = learnerCheck;
        this.lessor = lessor;
        this.store = store;
    }

    /** Asks the leader to renew lease {@code id}; completes with its TTL (0: gone). */
    CompletableFuture<Answer> keepAlive(long id) {
        return ask(KEEP_ALIVE, id);
    }

    /** Asks the leader for lease {@code id}'s remaining TTL (-1: gone) and granted TTL. */
    CompletableFuture<Answer> timeToLive(long id) {
        return ask(TIME_TO_LIVE, id);
    }

    /**
     * Asks the leader whether learner {@code id} is in sync with it (etcd's MemberPromote readiness);
     * fails with etcd's "not leader" if the member asked no longer leads.
     */
    CompletableFuture<Boolean> learnerInSync(long id) {
        return ask(LEARNER_IN_SYNC, id).thenApply(answer -> answer.ttl() == 1);
    }

    private CompletableFuture<Answer> ask(byte kind, long leaseId) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        long to = leader.getAsLong();
        PeerEndpoint e = endpoint.get();
        if (to == 0 || e == null) {
            answer.completeExceptionally(new CairnException(ErrorCode.NO_LEADER));
            return answer;
        }
        long requestId = nextId.getAndIncrement();
        waiting.put(requestId, answer);
        CompletableFuture.delayedExecutor(RaftNode.REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (waiting.remove(requestId, answer)) {
                answer.completeExceptionally(new CairnException(ErrorCode.TIMEOUT));
            }
        });
        e.send(to, frame(kind, requestId, leaseId, 0));
        return answer;
    }

    private static ByteBuffer frame(byte kind, long requestId, long a, long b) {
        ByteBuffer out = ByteBuffer.allocate(2 + 3 * 8).put(FRAME_TAG).put(kind).putLong(requestId).putLong(a).putLong(b);
        return out.flip();
    }

    /** A lease frame arrived from {@code from} (transport thread). */
    void receive(long from, ByteBuffer frame) {
        if (frame.remaining() != 2 + 3 * 8 || frame.get() != FRAME_TAG) {
            return;
        }
        byte kind = frame.get();
        long requestId = frame.getLong();
        long a = frame.getLong();
        long b = frame.getLong();
        switch (kind) {
            case KEEP_ALIVE, TIME_TO_LIVE -> answer(from, kind, requestId, a);
            case LEARNER_IN_SYNC -> answerLearnerCheck(from, requestId, a);
            case ANSWER -> {
                CompletableFuture<Answer> waiter = waiting.remove(requestId);
                if (waiter != null) {
                    waiter.complete(new Answer(a, b));
                }
            }
            case NOT_PRIMARY -> {
                CompletableFuture<Answer> waiter = waiting.remove(requestId);
                if (waiter != null) {
                    waiter.completeExceptionally(new CairnException(ErrorCode.NOT_LEADER));
                }
            }
            default -> { }
        }
    }

    private void answerLearnerCheck(long from, long requestId, long learnerId) {
        PeerEndpoint e = endpoint.get();
        if (e == null) {
            return;
        }
        if (!isLeader.getAsBoolean()) {
            e.send(from, frame(NOT_PRIMARY, requestId, 0, 0));
            return;
        }
        learnerCheck.inSync(learnerId).whenComplete((inSync, failure) -> {
            if (failure == null) {
                e.send(from, frame(ANSWER, requestId, Boolean.TRUE.equals(inSync) ? 1 : 0, 0));
            } // else the node stopped: the follower's call times out
        });
    }

    private void answer(long from, byte kind, long requestId, long leaseId) {
        PeerEndpoint e = endpoint.get();
        if (e == null) {
            return;
        }
        ByteBuffer reply;
        try {
            long now = System.nanoTime();
            if (kind == KEEP_ALIVE) {
                reply = frame(ANSWER, requestId, lessor.renew(store, leaseId, now).ttl(), 0);
            } else {
                var ttl = lessor.timeToLive(store, new io.cairn.api.lease.LeaseTimeToLiveRequest(leaseId, false), now);
                reply = frame(ANSWER, requestId, ttl.ttl(), ttl.grantedTtl());
            }
        } catch (IllegalStateException notPrimary) {
            reply = frame(NOT_PRIMARY, requestId, 0, 0);
        }
        e.send(from, reply);
    }
}
