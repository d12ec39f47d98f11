package io.cairn.recipes;

import io.cairn.api.Cairn;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.api.lease.LeaseRevokeRequest;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lease kept alive for as long as this object is open, as etcd's {@code concurrency.Session}: the
 * keys that locks, elections, semaphores and registrations create are attached to it, so they vanish
 * when the process holding them dies (after the TTL) or closes the session (at once).
 *
 * <p>One session is one party: etcd's lock and election treat two holders with the same lease as the
 * same holder. Threads that must exclude each other need a session each.
 *
 * <p>Liveness: keep-alives go every third of the TTL. {@link #done()} completes when the lease is known
 * to be gone (revoked, expired, or the session closed); until then {@link #isAlive()} is true. A process
 * that is paused (GC, network partition) longer than the TTL loses the lease <em>before</em> it learns
 * so: anything that must not happen after losing it needs a fencing token (see {@link Mutex}).
 *
 * <p>Threading: thread-safe. Keep-alives run on a shared daemon thread.
 */
public final class Session implements AutoCloseable {

    /** etcd's default session TTL. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    private static final ScheduledExecutorService KEEP_ALIVE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "cairn-recipes-keepalive");
        thread.setDaemon(true);
        return thread;
    });

    private final Cairn cairn;
    private final long leaseId;
    private final long ttlSeconds;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ScheduledFuture<?> ticker;
    private LeaseKeepAliveStream stream; // guarded by this

    private Session(Cairn cairn, long leaseId, long ttlSeconds) {
        this.cairn = cairn;
        this.leaseId = leaseId;
        this.ttlSeconds = ttlSeconds;
        long periodMillis = Math.max(200, ttlSeconds * 1000 / 3);
        this.ticker = KEEP_ALIVE.scheduleWithFixedDelay(this::keepAlive, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** A session on a new lease of {@link #DEFAULT_TTL}. */
    public static Session create(Cairn cairn) throws InterruptedException {
        return create(cairn, DEFAULT_TTL);
    }

    /**
     * A session on a new lease of {@code ttl} (whole seconds, at least 1; the server may raise it to its
     * minimum).
     */
    public static Session create(Cairn cairn, Duration ttl) throws InterruptedException {
        Objects.requireNonNull(cairn, "cairn");
        long seconds = Math.max(1, ttl.toSeconds());
        var granted = Waits.join(cairn.lease().grant(LeaseGrantRequest.of(seconds)));
        return new Session(cairn, granted.id(), granted.ttl());
    }

    /** The connection this session's lease lives on. */
    public Cairn cairn() {
        return cairn;
    }

    /** The lease id. */
    public long leaseId() {
        return leaseId;
    }

    /** The TTL the server granted, in seconds. */
    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** Whether the lease is not yet known to be gone. */
    public boolean isAlive() {
        return !done.isDone();
    }

    /** Completes when the lease is known to be gone or the session is closed; never exceptionally. */
    public CompletableFuture<Void> done() {
        return done.copy();
    }

    private void keepAlive() {
        if (done.isDone()) {
            return;
        }
        LeaseKeepAliveStream current;
        synchronized (this) {
            if (stream == null) {
                stream = cairn.lease().openKeepAliveStream();
                LeaseKeepAliveStream opened = stream;
                opened.subscribe(new Flow.Subscriber<>() {
                    @Override
                    public void onSubscribe(Flow.Subscription subscription) {
                        subscription.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(LeaseKeepAliveResponse response) {
                        if (response.ttl() <= 0) {
                            lost();
                        }
                    }

                    @Override
                    public void onError(Throwable failure) {
                        if (failure instanceof io.cairn.api.CairnException e && e.is(io.cairn.api.ErrorCode.LEASE_NOT_FOUND)) {
                            lost();
                            return;
                        }
                        dropStream(opened); // the next tick opens another; an expired lease then answers ttl <= 0
                    }

                    @Override
                    public void onComplete() {
                        dropStream(opened);
                    }
                });
            }
            current = stream;
        }
        try {
            current.keepAlive(leaseId);
        } catch (RuntimeException closed) {
            dropStream(current);
        }
    }

    private synchronized void dropStream(LeaseKeepAliveStream failed) {
        if (stream == failed) {
            stream = null;
        }
    }

    private void lost() {
        ticker.cancel(false);
        LeaseKeepAliveStream toClose;
        synchronized (this) {
            toClose = stream;
            stream = null;
        }
        if (toClose != null) {
            toClose.close();
        }
        done.complete(null);
    }

    /**
     * Stops the keep-alives without revoking the lease, as a process that dies or is cut off stops them:
     * the lease then runs out after its TTL. For tests of what others see when a holder vanishes.
     */
    void abandon() {
        ticker.cancel(false);
        LeaseKeepAliveStream toClose;
        synchronized (this) {
            toClose = stream;
            stream = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    /**
     * Stops the keep-alives and revokes the lease, which deletes every key attached to it (releasing
     * locks, leaving elections, deregistering). Idempotent; a failure to revoke leaves the lease to
     * expire after its TTL.
     */
    @Override
    public void close() {
        boolean wasAlive = isAlive();
        lost();
        if (wasAlive) {
            try {
                cairn.lease().revoke(new LeaseRevokeRequest(leaseId)).get(10, TimeUnit.SECONDS);
            } catch (Exception gone) {
                // already revoked or expired, or unreachable: the TTL ends it
            }
        }
    }
}
