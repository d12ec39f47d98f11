package io.cairn.client;

import io.cairn.api.CairnException;
import io.cairn.api.StatusCode;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The publishing side of a client stream: one subscriber, a queue for what arrives before demand,
 * and serial signals ({@link Flow} rule 1.3) whichever thread offers. A queue that reaches
 * {@code capacity} ends the stream with an error rather than dropping a message (the api's stream
 * contract).
 */
final class Outbox<T> implements Flow.Subscription {

    private final int capacity;
    private final Runnable onCancel;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean cancelled;
    private boolean terminated; // no more offers accepted
    private Throwable failure;
    private boolean terminalSent;
    private boolean draining;
    private boolean again;

    Outbox(int capacity, Runnable onCancel) {
        this.capacity = capacity;
        this.onCancel = onCancel;
    }

    void subscribe(Flow.Subscriber<? super T> candidate) {
        Objects.requireNonNull(candidate, "subscriber");
        synchronized (this) {
            if (subscriber == null) {
                subscriber = candidate;
            } else {
                candidate.onSubscribe(new Flow.Subscription() {
                    @Override public void request(long n) {}
                    @Override public void cancel() {}
                });
                candidate.onError(new IllegalStateException("this stream accepts one subscriber only"));
                return;
            }
        }
        candidate.onSubscribe(this);
        drain();
    }

    void offer(T item) {
        boolean overflow;
        synchronized (this) {
            if (terminated || cancelled) {
                return;
            }
            overflow = queue.size() >= capacity;
            if (!overflow) {
                queue.add(item);
            }
        }
        if (overflow) {
            fail(new CairnException(StatusCode.RESOURCE_EXHAUSTED,
                    "cairn: the subscriber fell " + capacity + " messages behind; the stream ends rather than drop one"));
            onCancel.run();
            return;
        }
        drain();
    }

    void complete() {
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
        }
        drain();
    }

    void fail(Throwable error) {
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            failure = error;
            queue.clear(); // an error is reported at once, as gRPC reports it
        }
        drain();
    }

    synchronized boolean isDone() {
        return terminated || cancelled;
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new IllegalArgumentException("rule 3.9: request a positive number, got " + n));
            onCancel.run();
            return;
        }
        synchronized (this) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        drain();
    }

    @Override
    public void cancel() {
        boolean first;
        synchronized (this) {
            first = !cancelled;
            cancelled = true;
            queue.clear();
        }
        if (first) {
            onCancel.run();
        }
    }

    private void drain() {
        synchronized (this) {
            if (draining) {
                again = true;
                return;
            }
            draining = true;
        }
        while (true) {
            T next = null;
            boolean terminal = false;
            Flow.Subscriber<? super T> target;
            Throwable error;
            synchronized (this) {
                target = subscriber;
                error = failure;
                if (target != null && !cancelled && !terminalSent) {
                    if (demand > 0 && !queue.isEmpty()) {
                        next = queue.poll();
                        demand--;
                    } else if (terminated && queue.isEmpty()) {
                        terminal = true;
                        terminalSent = true;
                    }
                }
                if (next == null && !terminal) {
                    if (again) {
                        again = false;
                        continue;
                    }
                    draining = false;
                    return;
                }
            }
            if (next != null) {
                target.onNext(next);
            } else if (error != null) {
                target.onError(error);
            } else {
                target.onComplete();
            }
        }
    }
}
