package io.cairn.server.concurrency;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.kv.KV;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * The queue etcd's {@code clientv3/concurrency} forms under a name: each party's key is
 * {@code <name>/<lease id in hex>}, created with its lease; the party whose key has the lowest create
 * revision is first. Waiting for one's turn means waiting until every key created before one's own is
 * deleted (released, or gone with its lease).
 */
final class Queueing {

    /** etcd's {@code concurrency.NewSession} default TTL, used when a request names no lease (lease 0). */
    static final long DEFAULT_SESSION_TTL_SECONDS = 60;

    private Queueing() {}

    /** {@code name + "/"}: the prefix under which the parties of {@code name} queue. */
    static Bytes prefix(Bytes name) {
        return name.concat(Bytes.fromUtf8("/"));
    }

    /** {@code <name>/<lease in hex>}, as Go's {@code fmt.Sprintf("%s/%x", name, lease)} writes it. */
    static Bytes ownKey(Bytes name, long lease) {
        String hex = lease >= 0 ? Long.toHexString(lease) : "-" + Long.toHexString(-lease);
        return prefix(name).concat(Bytes.fromUtf8(hex));
    }

    /** The first key of the queue: lowest create revision (etcd's {@code WithFirstCreate}). */
    static RangeRequest firstCreated(Bytes prefix) {
        return RangeRequest.prefix(prefix)
                .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.ASCEND)
                .withLimit(1);
    }

    /** The last key created at or before {@code maxCreateRevision} (etcd's {@code WithLastCreate}, {@code WithMaxCreateRev}). */
    static RangeRequest lastCreatedUpTo(Bytes prefix, long maxCreateRevision) {
        return RangeRequest.prefix(prefix)
                .withSort(RangeRequest.SortTarget.CREATE, RangeRequest.SortOrder.DESCEND)
                .withLimit(1)
                .withCreateRevisionBounds(0, maxCreateRevision);
    }

    /**
     * Completes once no key under {@code prefix} has a create revision {@code <= maxCreateRevision}:
     * waits for the youngest such key to be deleted, then looks again (etcd's {@code waitDeletes}).
     * Fails when a read or watch fails; never completes once {@code pending} is cancelled.
     */
    static CompletableFuture<Void> waitDeletes(KV kv, Watch watch, Bytes prefix, long maxCreateRevision, Pending pending) {
        if (pending.isCancelled()) {
            return CompletableFuture.failedFuture(new CancellationException());
        }
        return kv.range(lastCreatedUpTo(prefix, maxCreateRevision)).thenCompose(found -> {
            if (found.kvs().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return awaitDelete(watch, found.kvs().get(0).key(), found.header().revision(), pending)
                    .thenCompose(deletedOrCompacted -> waitDeletes(kv, watch, prefix, maxCreateRevision, pending));
        });
    }

    /**
     * Completes with true when {@code key} is deleted at or after {@code fromRevision}, with false when
     * that history was compacted away (the caller reads again instead).
     */
    static CompletableFuture<Boolean> awaitDelete(Watch watch, Bytes key, long fromRevision, Pending pending) {
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        WatchCreateRequest request = WatchCreateRequest.of(key).withStartRevision(fromRevision)
                .withFilters(Set.of(WatchCreateRequest.Filter.NOPUT));
        watch.watch(request).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription newSubscription) {
                subscription = newSubscription;
                if (!pending.watching(newSubscription)) {
                    newSubscription.cancel();
                    outcome.completeExceptionally(new CancellationException());
                    return;
                }
                newSubscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(WatchResponse response) {
                if (outcome.isDone()) {
                    return;
                }
                if (response.canceled()) {
                    finish();
                    if (response.compactRevision() > 0) {
                        outcome.complete(false);
                    } else {
                        outcome.completeExceptionally(new CairnException(ErrorCode.WATCH_CANCELED));
                    }
                    return;
                }
                for (Event event : response.events()) {
                    if (event.type() == Event.Type.DELETE) {
                        finish();
                        outcome.complete(true);
                        return;
                    }
                }
            }

            @Override
            public void onError(Throwable failure) {
                pending.done(subscription);
                outcome.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                pending.done(subscription);
                outcome.completeExceptionally(new CairnException(ErrorCode.WATCH_CANCELED));
            }

            private void finish() {
                pending.done(subscription);
                subscription.cancel();
            }
        });
        return outcome;
    }

    /** The cause of a failure as the api reports it: unwraps CompletableFuture's wrapper. */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
