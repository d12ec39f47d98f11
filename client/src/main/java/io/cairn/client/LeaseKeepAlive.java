package io.cairn.client;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.lease.Lease;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lease kept alive for the caller, from {@link CairnClient#keepAlive(long)}: the client renews it
 * about every third of its TTL (as etcd's client does) on a keep-alive stream of its own, and opens
 * a new stream, on another endpoint if the current one is unavailable, whenever a stream fails or
 * stops answering. The api's {@link io.cairn.api.lease.LeaseKeepAliveStream} is the bare protocol;
 * this is the loop around it.
 *
 * <p>It ends when {@link #close()} is called ({@link #done()} completes normally; the lease then
 * lives until its TTL runs out, or until revoked) or when the server answers that the lease does not
 * exist, because it expired or was revoked ({@link #done()} completes exceptionally with a
 * {@link CairnException} of {@link ErrorCode#LEASE_NOT_FOUND}). A lease whose renewals cannot reach
 * any member for a whole TTL expires on the server; the next answer then ends this.
 *
 * <p>Thread-safe. Renewals run on the client's timer thread and gRPC's threads; nothing blocks.
 */
public final class LeaseKeepAlive implements AutoCloseable {

    /** The renewal period before the first answer tells the TTL. */
    private static final long FIRST_PERIOD_MILLIS = 500;
    private static final long SHORTEST_PERIOD_MILLIS = 100;

    private final long leaseId;
    private final Lease lease;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile LeaseKeepAliveResponse last;

    // guarded by this
    private LeaseKeepAliveStream stream;
    private ScheduledFuture<?> next;
    private long periodMillis = FIRST_PERIOD_MILLIS;
    private int unanswered;

    LeaseKeepAlive(long leaseId, Lease lease, ScheduledExecutorService timer) {
        this.leaseId = leaseId;
        this.lease = lease;
        this.timer = timer;
    }

    void start() {
        schedule(0);
    }

    /** The lease kept alive. */
    public long leaseId() {
        return leaseId;
    }

    /** The latest renewal answer, empty before the first. */
    public Optional<LeaseKeepAliveResponse> lastResponse() {
        return Optional.ofNullable(last);
    }

    /**
     * Completes normally after {@link #close()}, exceptionally with {@link ErrorCode#LEASE_NOT_FOUND}
     * when the lease is gone, or with the client's {@link ErrorCode#CANCELED} when the client closes.
     */
    public CompletableFuture<Void> done() {
        return done;
    }

    /** Stops renewing; the lease stays until its TTL runs out. Idempotent. */
    @Override
    public void close() {
        finish(null);
    }

    void clientClosed() {
        finish(new CairnException(ErrorCode.CANCELED));
    }

    private synchronized void schedule(long delayMillis) {
        if (done.isDone()) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        try {
            next = timer.schedule(this::renew, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException clientClosed) {
            done.completeExceptionally(new CairnException(ErrorCode.CANCELED));
        }
    }

    private void renew() {
        LeaseKeepAliveStream current;
        synchronized (this) {
            if (done.isDone()) {
                return;
            }
            // Two renewals without an answer: the stream is stuck (a member that stopped answering);
            // a new one goes to the endpoint in use now.
            if (stream != null && unanswered >= 2) {
                stream.close();
                stream = null;
            }
            if (stream == null) {
                unanswered = 0;
                stream = open();
            }
            current = stream;
            unanswered++;
        }
        try {
            current.keepAlive(leaseId);
        } catch (RuntimeException closed) {
            streamEnded(current, closed);
            return;
        }
        schedule(periodMillis);
    }

    private LeaseKeepAliveStream open() {
        LeaseKeepAliveStream opened = lease.openKeepAliveStream();
        opened.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                answered(opened, response);
            }

            @Override
            public void onError(Throwable failure) {
                streamEnded(opened, failure);
            }

            @Override
            public void onComplete() {
                streamEnded(opened, null);
            }
        });
        return opened;
    }

    private void answered(LeaseKeepAliveStream from, LeaseKeepAliveResponse response) {
        if (response.ttl() <= 0) {
            finish(new CairnException(ErrorCode.LEASE_NOT_FOUND));
            return;
        }
        last = response;
        synchronized (this) {
            if (from == stream) {
                unanswered = 0;
            }
            periodMillis = Math.max(SHORTEST_PERIOD_MILLIS, response.ttl() * 1000 / 3);
        }
    }

    private void streamEnded(LeaseKeepAliveStream ended, Throwable failure) {
        if (failure instanceof CairnException cairn && cairn.is(ErrorCode.LEASE_NOT_FOUND)) {
            finish(cairn);
            return;
        }
        synchronized (this) {
            if (ended != stream) {
                return;
            }
            stream = null;
        }
        // Try again soon: the connection has moved to the next endpoint if this one was unavailable.
        schedule(Math.min(periodMillis, FIRST_PERIOD_MILLIS));
    }

    private void finish(Throwable failure) {
        LeaseKeepAliveStream toClose;
        synchronized (this) {
            if (done.isDone()) {
                return;
            }
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
            if (next != null) {
                next.cancel(false);
            }
            toClose = stream;
            stream = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }
}
