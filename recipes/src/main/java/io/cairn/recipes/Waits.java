package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Blocking waits on the asynchronous api, with deadlines, shared by the recipes. */
final class Waits {

    /** No deadline. */
    static final long FOREVER = Long.MAX_VALUE;

    private Waits() {}

    /** The deadline {@code timeout} from now, in {@link System#nanoTime()} terms; {@link #FOREVER} for null. */
    static long deadline(Duration timeout) {
        if (timeout == null) {
            return FOREVER;
        }
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= FOREVER - now ? FOREVER : now + Math.max(0, nanos);
    }

    /**
     * Waits for {@code future}: its value, or its failure as thrown (a {@link CairnException} as is).
     *
     * @throws TimeoutException when the deadline passes first (the future is left running)
     */
    static <T> T join(CompletableFuture<T> future, long deadline) throws InterruptedException, TimeoutException {
        try {
            if (deadline == FOREVER) {
                return future.get();
            }
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** {@link #join(CompletableFuture, long)} without deadline. */
    static <T> T join(CompletableFuture<T> future) throws InterruptedException {
        try {
            return join(future, FOREVER);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Waits for {@code future} without being interruptible: for clean-up calls that must finish. */
    static <T> T joinUninterruptibly(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new CairnException("recipe call failed", cause);
    }

    /**
     * Watches with {@code request} until an event satisfies {@code wanted}.
     *
     * @return true when one did; false when the watch was cancelled because its start revision is
     *     compacted (the caller reads the current state again instead)
     */
    static boolean awaitEvent(Cairn cairn, WatchCreateRequest request, Predicate<Event> wanted, long deadline)
            throws InterruptedException, TimeoutException {
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
        cairn.watch().watch(request).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscribed.complete(subscription);
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(WatchResponse response) {
                if (response.canceled()) {
                    if (response.compactRevision() > 0) {
                        outcome.complete(false);
                    } else {
                        outcome.completeExceptionally(new CairnException("watch canceled: " + response.cancelReason()));
                    }
                    return;
                }
                for (Event event : response.events()) {
                    if (wanted.test(event)) {
                        outcome.complete(true);
                        return;
                    }
                }
            }

            @Override
            public void onError(Throwable failure) {
                outcome.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                outcome.completeExceptionally(new CancellationException("watch ended"));
            }
        });
        try {
            return join(outcome, deadline);
        } finally {
            subscribed.thenAccept(Flow.Subscription::cancel);
        }
    }

    /** Waits until {@code key} is deleted at a revision {@code >= fromRevision}; false if that history is compacted. */
    static boolean awaitDelete(Cairn cairn, Bytes key, long fromRevision, long deadline)
            throws InterruptedException, TimeoutException {
        return awaitEvent(cairn, WatchCreateRequest.of(key).withStartRevision(fromRevision)
                .withFilters(Set.of(WatchCreateRequest.Filter.NOPUT)), e -> e.type() == Event.Type.DELETE, deadline);
    }

    /**
     * Waits until no key of {@code range} has a create revision {@code <= maxCreateRevision}: waits for the
     * youngest such key to be deleted, then looks again (etcd's {@code waitDeletes}).
     */
    static void waitDeletes(Cairn cairn, RangeRequest range, long maxCreateRevision, long deadline)
            throws InterruptedException, TimeoutException {
        RangeRequest youngestBefore = range
                .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.DESCEND)
                .withLimit(1)
                .withCreateRevisionBounds(0, maxCreateRevision);
        while (true) {
            RangeResponse found = join(cairn.kv().range(youngestBefore), deadline);
            if (found.kvs().isEmpty()) {
                return;
            }
            awaitDelete(cairn, found.kvs().get(0).key(), found.header().revision(), deadline);
        }
    }
}
