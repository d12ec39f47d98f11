package io.cairn.recipes;

import io.cairn.api.Cairn;
import io.cairn.api.election.LeaderKey;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Keeps a process in an election for as long as it is open and tells a {@link Listener} when it gains and
 * loses leadership (after Apache Curator's {@code LeaderLatch}): a background thread opens a
 * {@link Session}, campaigns, reports {@link Listener#isLeader()}, waits until its leader key is deleted
 * (lease expired or revoked, resigned), reports {@link Listener#notLeader()}, and campaigns again on a new
 * session.
 * {@snippet :
 * try (LeaderLatch latch = LeaderLatch.start(cairn, "services/scheduler", "node-a", Duration.ofSeconds(10),
 *         new LeaderLatch.Listener() {
 *             public void isLeader() { scheduler.start(); }
 *             public void notLeader() { scheduler.stop(); }
 *         })) {
 *     awaitShutdown();
 * }
 * }
 *
 * <p>Guarantees: {@code isLeader} and {@code notLeader} alternate, starting with {@code isLeader}, on the
 * latch's thread; after {@link #close()} returns, no more calls come and leadership is given up. Limits:
 * {@code notLeader} comes when the server has deleted the key, which for a crashed or partitioned leader
 * is after the TTL, and for this process may be late if it is cut off: as with {@link Election}, fence
 * side effects with {@link #leaderKey()}'s revision.
 */
public final class LeaderLatch implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeaderLatch.class.getName());

    /** Told of leadership changes, on the latch's thread; must not block for long. */
    public interface Listener {
        /** This process now leads. */
        void isLeader();

        /** This process no longer leads. */
        void notLeader();
    }

    private final Cairn cairn;
    private final String name;
    private final String value;
    private final Duration ttl;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Session session;
    private volatile LeaderKey leaderKey;

    private LeaderLatch(Cairn cairn, String name, String value, Duration ttl, Listener listener) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = new Thread(this::run, "cairn-leader-latch-" + name);
        this.thread.setDaemon(true);
    }

    /** Joins the election {@code name} with {@code value} on sessions of {@code ttl}, in the background. */
    public static LeaderLatch start(Cairn cairn, String name, String value, Duration ttl, Listener listener) {
        LeaderLatch latch = new LeaderLatch(cairn, name, value, ttl, listener);
        latch.thread.start();
        return latch;
    }

    /** Whether this process leads now, as far as it knows. */
    public boolean hasLeadership() {
        return leaderKey != null;
    }

    /** The proof of the current leadership (its {@code rev} is a fencing token), or null. */
    public LeaderKey leaderKey() {
        return leaderKey;
    }

    private void run() {
        while (!closed) {
            Session current;
            try {
                current = Session.create(cairn, ttl);
            } catch (InterruptedException interrupted) {
                return;
            } catch (RuntimeException failure) {
                if (!pauseAfter(failure)) {
                    return;
                }
                continue;
            }
            try (current) {
                session = current;
                if (closed) {
                    return;
                }
                leadOnce(current);
            } catch (InterruptedException interrupted) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /**
     * Campaigns on {@code current} until this process has led and lost the lead, or the session ended.
     * A failed campaign (the member went away, the cluster changed leader) is tried again on the same
     * session: the candidate's key stays where it is in the line (campaigning again with the same lease
     * finds it), rather than being left behind, unrevoked, for a TTL if the revoke fails too.
     */
    private void leadOnce(Session current) throws InterruptedException {
        Election election = new Election(current, name);
        while (!closed && current.isAlive()) {
            try {
                election.campaign(value);
            } catch (RuntimeException failure) {
                if (!pauseAfter(failure)) {
                    return;
                }
                continue;
            }
            leaderKey = election.leaderKey().orElseThrow();
            listener.isLeader();
            try {
                // leadership lasts as long as the key: wait for its deletion
                while (true) {
                    try {
                        if (Waits.awaitDelete(cairn, leaderKey.key(), leaderKey.rev(), Waits.FOREVER)
                                || Waits.join(cairn.kv().get(leaderKey.key())).kvs().isEmpty()) {
                            break;
                        }
                    } catch (RuntimeException failure) {
                        if (!current.isAlive() || !pauseAfter(failure)) {
                            return; // the lease is known gone (so is the key), or the latch closed
                        }
                    }
                }
            } catch (TimeoutException impossible) {
                throw new AssertionError(impossible);
            } finally {
                leaderKey = null;
                listener.notLeader();
            }
            return;
        }
    }

    /** Logs {@code failure} and pauses before the next try; false if the latch closed meanwhile. */
    private boolean pauseAfter(RuntimeException failure) {
        if (closed) {
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, "leader latch " + name + ": trying again after a failure", failure);
        try {
            Thread.sleep(Math.max(100, ttl.toMillis() / 6));
            return !closed;
        } catch (InterruptedException interrupted) {
            return false;
        }
    }

    /** Leaves the election (revoking the session's lease) and stops the thread; idempotent. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        Session current = session;
        if (current != null) {
            current.close();
        }
        try {
            thread.join();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
