package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.election.CampaignRequest;
import io.cairn.api.election.LeaderKey;
import io.cairn.api.election.LeaderRequest;
import io.cairn.api.election.LeaderResponse;
import io.cairn.api.election.ProclaimRequest;
import io.cairn.api.election.ResignRequest;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Leader election for one {@link Session}'s party, on the election service ({@link io.cairn.api.Cairn#election()},
 * etcd's v3election, which Cairn and etcd both serve): campaigners queue under {@code <name>/<lease id in
 * hex>}, the oldest key leads and its value is the leader's proclamation. The layout is etcd's
 * {@code clientv3/concurrency.Election}, so {@code etcdctl elect <name>} campaigns and observes in the same
 * election.
 * {@snippet :
 * try (Session session = Session.create(cairn, Duration.ofSeconds(10))) {
 *     Election election = new Election(session, "services/scheduler");
 *     election.campaign("node-a:8080");   // blocks until this party leads
 *     runScheduler(election);              // election.isLeader() / leaderKey().rev() guard side effects
 *     election.resign();
 * }
 * }
 *
 * <h2>Guarantees and limits</h2>
 * <ul>
 *   <li>At most one campaigner's key is the oldest at any revision: there is one leader per revision.
 *   <li>Leadership ends when the leader resigns or its lease ends (crash: after the TTL); the next
 *       campaigner in line then leads. A leader paused past its TTL may still act as leader for a while
 *       before it learns it lost: guard writes with {@link #isLeaderCompare()} in a transaction (or use the
 *       leader key's {@code rev} as a fencing token), and watch {@link Session#done()}.
 *   <li>Campaign checks, once its turn comes, that its key survived the wait; a campaigner whose lease
 *       ran out fails with {@code "election: not leader"}.
 * </ul>
 *
 * <p>Threading: one object per party; its methods may be called from any thread.
 */
public final class Election {

    private final Session session;
    private final String name;
    private volatile LeaderKey leader;

    /** A handle on the election {@code name} for {@code session}'s party. */
    public Election(Session session, String name) {
        this.session = Objects.requireNonNull(session, "session");
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Campaigns with {@code value} and blocks until this party leads.
     *
     * @throws InterruptedException if interrupted first: the candidacy is withdrawn
     */
    public void campaign(String value) throws InterruptedException {
        CompletableFuture<io.cairn.api.election.CampaignResponse> campaign = session.cairn().election().campaign(
                new CampaignRequest(Bytes.fromUtf8(name), session.leaseId(), Bytes.fromUtf8(value)));
        try {
            leader = Waits.join(campaign).leader();
        } catch (InterruptedException interrupted) {
            campaign.cancel(false); // the service withdraws the candidacy
            throw interrupted;
        }
    }

    /**
     * Replaces the leader's value.
     *
     * @throws CairnException {@link ErrorCode#ELECTION_NOT_LEADER} if this party does not lead
     */
    public void proclaim(String value) throws InterruptedException {
        LeaderKey current = leader;
        if (current == null) {
            throw new CairnException(ErrorCode.ELECTION_NOT_LEADER);
        }
        Waits.join(session.cairn().election().proclaim(new ProclaimRequest(current, Bytes.fromUtf8(value))));
    }

    /** Gives up leadership (if held); the next campaigner leads. */
    public void resign() throws InterruptedException {
        LeaderKey current = leader;
        leader = null;
        if (current != null) {
            Waits.join(session.cairn().election().resign(new ResignRequest(current)));
        }
    }

    /** Whether this party's last campaign won and it has not resigned (it may have lost its lease since). */
    public boolean isLeader() {
        return leader != null;
    }

    /** The proof of leadership from the last won campaign, if any. */
    public Optional<LeaderKey> leaderKey() {
        return Optional.ofNullable(leader);
    }

    /**
     * The guard "this party still leads" for a transaction: its key exists with the create revision it
     * won with.
     *
     * @throws IllegalStateException if this party does not lead
     */
    public io.cairn.api.kv.Compare isLeaderCompare() {
        LeaderKey current = leader;
        if (current == null) {
            throw new IllegalStateException("not the leader of " + name);
        }
        return io.cairn.api.kv.Compare.createRevision(current.key(), io.cairn.api.kv.Compare.Result.EQUAL, current.rev());
    }

    /** The current leader's key and value, or empty when nobody leads. */
    public Optional<KeyValue> leader() throws InterruptedException {
        try {
            return Optional.of(Waits.join(session.cairn().election().leader(new LeaderRequest(Bytes.fromUtf8(name)))).kv());
        } catch (CairnException e) {
            if (e.is(ErrorCode.ELECTION_NO_LEADER)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Calls {@code listener} with the leader's key and value now (once there is a leader) and on every
     * proclamation and change of leader, in order, on an implementation thread (do not block it).
     * Close the returned handle to stop.
     *
     * <p>The observation outlives the loss of a member: when the stream fails (the member it went to died,
     * a leader change cut it), it is opened again after a short pause, and the listener then hears the
     * leader of that moment again. So it may see the same leader twice in a row, and a leader that came
     * and went while the stream was down is not reported.
     */
    public AutoCloseable observe(Consumer<KeyValue> listener) {
        Objects.requireNonNull(listener, "listener");
        Observation observation = new Observation(listener);
        observation.open();
        return observation;
    }

    /** One {@link #observe} call: its current stream, opened again after a failure until closed. */
    private final class Observation implements AutoCloseable {
        private static final long REOPEN_PAUSE_MILLIS = 200;
        private final Consumer<KeyValue> listener;
        private Flow.Subscription stream; // guarded by this
        private boolean closed; // guarded by this

        Observation(Consumer<KeyValue> listener) {
            this.listener = listener;
        }

        void open() {
            session.cairn().election().observe(new LeaderRequest(Bytes.fromUtf8(name))).subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    synchronized (Observation.this) {
                        if (closed) {
                            subscription.cancel();
                            return;
                        }
                        stream = subscription;
                    }
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(LeaderResponse response) {
                    synchronized (Observation.this) {
                        if (closed) {
                            return;
                        }
                    }
                    try {
                        listener.accept(response.kv());
                    } catch (RuntimeException listenerFailure) {
                        System.getLogger(Election.class.getName()).log(System.Logger.Level.WARNING,
                                "an observer of election " + name + " failed", listenerFailure);
                    }
                }

                @Override
                public void onError(Throwable failure) {
                    reopenLater();
                }

                @Override
                public void onComplete() {
                    reopenLater();
                }
            });
        }

        private void reopenLater() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                stream = null;
            }
            CompletableFuture.delayedExecutor(REOPEN_PAUSE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                open();
            });
        }

        @Override
        public void close() {
            Flow.Subscription toCancel;
            synchronized (this) {
                closed = true;
                toCancel = stream;
                stream = null;
            }
            if (toCancel != null) {
                toCancel.cancel();
            }
        }
    }

    /** The election's name. */
    public String name() {
        return name;
    }
}
