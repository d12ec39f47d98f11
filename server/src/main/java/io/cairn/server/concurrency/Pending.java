package io.cairn.server.concurrency;

import java.util.concurrent.Flow;

/**
 * The cancellation state of one waiting call (a Lock or a Campaign): once cancelled, the watch it waits
 * on is cancelled and no new one is started.
 *
 * <p>Threading: thread-safe; {@link #cancel()} may race with {@link #watching}.
 */
final class Pending {

    private boolean cancelled;
    private Flow.Subscription watch;

    synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * Records the watch now waited on.
     *
     * @return false if the call is cancelled already: the caller must then cancel {@code subscription}
     */
    synchronized boolean watching(Flow.Subscription subscription) {
        if (cancelled) {
            return false;
        }
        watch = subscription;
        return true;
    }

    /** Forgets {@code subscription} once its wait is over. */
    synchronized void done(Flow.Subscription subscription) {
        if (watch == subscription) {
            watch = null;
        }
    }

    /** Cancels the call and the watch it waits on, if any; idempotent. */
    void cancel() {
        Flow.Subscription toCancel;
        synchronized (this) {
            cancelled = true;
            toCancel = watch;
            watch = null;
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
    }
}
