package io.cairn.server;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Publisher} for one subscriber, fed by {@link #offer}: items wait in a queue until
 * the subscriber asks for them. A second subscriber gets {@code onError}.
 *
 * <p>Threading: every method may be called from any thread; signals are delivered under this
 * object's lock, one at a time, on the thread that made them possible.
 */
final class QueuePublisher<T> implements Flow.Publisher<T> {

    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean cancelled;
    private boolean completed;
    private Throwable error;
    private boolean terminated;
    private final Runnable onCancel;

    QueuePublisher(Runnable onCancel) {
        this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber");
        synchronized (this) {
            if (subscriber != null) {
                s.onSubscribe(new Flow.Subscription() {
                    @Override public void request(long n) {}
                    @Override public void cancel() {}
                });
                s.onError(new IllegalStateException("this stream already has a subscriber"));
                return;
            }
            subscriber = s;
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    synchronized (QueuePublisher.this) {
                        if (n <= 0) {
                            error = new IllegalArgumentException("request(" + n + "): demand must be positive (§3.9)");
                            queue.clear();
                        } else {
                            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                        }
                        drain();
                    }
                }

                @Override
                public void cancel() {
                    boolean first;
                    synchronized (QueuePublisher.this) {
                        first = !cancelled;
                        cancelled = true;
                        queue.clear();
                    }
                    if (first) {
                        onCancel.run();
                    }
                }
            });
            drain();
        }
    }

    /** Queues {@code item}; dropped if the subscriber cancelled or the stream ended. */
    synchronized void offer(T item) {
        if (cancelled || completed || error != null) {
            return;
        }
        queue.add(item);
        drain();
    }

    /** Ends the stream after the queued items. */
    synchronized void complete() {
        completed = true;
        drain();
    }

    /** Ends the stream with {@code failure}, dropping queued items. */
    synchronized void fail(Throwable failure) {
        if (error == null && !completed) {
            error = failure;
            queue.clear();
        }
        drain();
    }

    synchronized boolean isCancelled() {
        return cancelled;
    }

    /** True while {@link #drain} runs: a signal handler calling back in (same thread, lock held) must not re-enter. */
    private boolean draining;

    private void drain() {
        if (subscriber == null || terminated || cancelled || draining) {
            return;
        }
        draining = true;
        try {
            while (demand > 0 && !queue.isEmpty() && !cancelled) {
                demand--;
                subscriber.onNext(queue.poll());
            }
        } finally {
            draining = false;
        }
        if (terminated || cancelled) {
            return;
        }
        if (error != null) {
            terminated = true;
            subscriber.onError(error);
        } else if (completed && queue.isEmpty()) {
            terminated = true;
            subscriber.onComplete();
        }
    }
}
