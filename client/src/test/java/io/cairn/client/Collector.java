package io.cairn.client;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A subscriber that requests everything and queues it, for tests to poll. */
final class Collector<T> implements Flow.Subscriber<T> {

    final BlockingQueue<T> items = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> end = new CompletableFuture<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T item) {
        items.add(item);
    }

    @Override
    public void onError(Throwable failure) {
        end.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        end.complete(null);
    }

    T next() {
        try {
            T item = items.poll(TestServers.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (item == null) {
                throw new AssertionError("nothing arrived in " + TestServers.TIMEOUT_SECONDS + " s"
                        + (end.isDone() ? "; the stream ended: " + end.handle((v, t) -> t == null ? "completed" : t.toString()).join() : ""));
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Nothing more within {@code millis} (a check that nothing extra arrives, not a timing assertion). */
    T poll(long millis) throws InterruptedException {
        return items.poll(millis, TimeUnit.MILLISECONDS);
    }
}
