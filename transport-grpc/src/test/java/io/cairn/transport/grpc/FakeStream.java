package io.cairn.transport.grpc;

import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test double: a single-subscriber publisher that keeps what is emitted until the subscriber asks
 * for it, as the api's stream contract requires, and delivers serially without holding its lock.
 * Counts what was requested and delivered so tests can see the transport's demand.
 */
class FakeStream<T> implements Flow.Publisher<T> {

    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final Runnable onCancel;
    final AtomicLong requested = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();

    // Guarded by this.
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean completing;
    private boolean terminated;
    private boolean draining;
    private Throwable failure;

    FakeStream(Runnable onCancel) {
        this.onCancel = onCancel;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> newSubscriber) {
        boolean second;
        synchronized (this) {
            second = subscriber != null;
            if (!second) {
                subscriber = newSubscriber;
            }
        }
        if (second) {
            newSubscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            newSubscriber.onError(new IllegalStateException("this stream already has a subscriber"));
            return;
        }
        newSubscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
                synchronized (FakeStream.this) {
                    demand += n;
                }
                drain();
            }

            @Override
            public void cancel() {
                synchronized (FakeStream.this) {
                    terminated = true;
                    queue.clear();
                }
                onCancel.run();
            }
        });
        drain();
    }

    /** Queues {@code item}; false if the stream has ended. */
    boolean emit(T item) {
        synchronized (this) {
            if (terminated || completing) {
                return false;
            }
            queue.add(item);
        }
        drain();
        return true;
    }

    void complete() {
        synchronized (this) {
            completing = true;
        }
        drain();
    }

    void fail(Throwable error) {
        synchronized (this) {
            completing = true;
            failure = error;
            queue.clear();
        }
        drain();
    }

    synchronized boolean isOpen() {
        return !terminated && !completing;
    }

    synchronized int queued() {
        return queue.size();
    }

    private void drain() {
        while (true) {
            Flow.Subscriber<? super T> target;
            T next = null;
            Throwable error = null;
            boolean complete = false;
            synchronized (this) {
                if (draining || subscriber == null || terminated) {
                    return;
                }
                target = subscriber;
                if (failure != null) {
                    error = failure;
                    terminated = true;
                } else if (!queue.isEmpty() && demand > 0) {
                    next = queue.poll();
                    demand--;
                } else if (queue.isEmpty() && completing) {
                    complete = true;
                    terminated = true;
                } else {
                    return;
                }
                draining = true;
            }
            try {
                if (error != null) {
                    target.onError(error);
                } else if (complete) {
                    target.onComplete();
                } else {
                    delivered.incrementAndGet();
                    target.onNext(next);
                }
            } finally {
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }
}
