package io.cairn.server.concurrency;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.election.LeaderResponse;
import io.cairn.api.kv.KV;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * etcd's election {@code Observe}, as {@code concurrency.Election.Observe} runs it, for each subscriber
 * on its own: read the oldest key under the prefix (the leader) and send it; without one, watch the
 * prefix for the first put and send that. Then follow the leader's key: every put is a proclamation and
 * is sent; its deletion (resign, lease gone) starts over with the next leader.
 *
 * <p>Flow control: proclamations wait for the subscriber's demand in a queue of at most
 * {@link #MAX_QUEUED}; a subscriber that lets more pile up is ended with {@code onError}
 * ({@link StatusCode#RESOURCE_EXHAUSTED}) rather than losing one. A compacted watch (history gone while
 * following) starts over from a fresh read, which may send the current leader's value again.
 *
 * <p>Threading: signals are serial, made under the observation's lock on the thread whose event made
 * them possible; {@code request} and {@code cancel} may be called from any thread, from within signals too.
 */
final class ObservePublisher implements Flow.Publisher<LeaderResponse> {

    static final int MAX_QUEUED = 1024;

    private final KV kv;
    private final Watch watch;
    private final Bytes prefix;

    ObservePublisher(KV kv, Watch watch, Bytes prefix) {
        this.kv = kv;
        this.watch = watch;
        this.prefix = prefix;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super LeaderResponse> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        new Observation(subscriber).start();
    }

    private final class Observation implements Flow.Subscription {
        private final Flow.Subscriber<? super LeaderResponse> subscriber;
        private final ArrayDeque<LeaderResponse> queue = new ArrayDeque<>();
        // Guarded by this.
        private long demand;
        private boolean cancelled;
        private boolean terminated;
        private boolean draining;
        private Throwable failure;
        private Flow.Subscription currentWatch;
        private long watchGeneration;

        Observation(Flow.Subscriber<? super LeaderResponse> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            synchronized (this) {
                subscriber.onSubscribe(this);
            }
            findLeader();
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (n <= 0) {
                    failure = new IllegalArgumentException("request(" + n + "): demand must be positive (§3.9)");
                    queue.clear();
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                drain();
            }
            if (n <= 0) {
                stopWatching();
            }
        }

        @Override
        public void cancel() {
            Flow.Subscription toCancel;
            synchronized (this) {
                cancelled = true;
                queue.clear();
                toCancel = currentWatch;
                currentWatch = null;
                watchGeneration++;
            }
            if (toCancel != null) {
                toCancel.cancel();
            }
        }

        private synchronized boolean over() {
            return cancelled || terminated || failure != null;
        }

        private void findLeader() {
            if (over()) {
                return;
            }
            kv.range(Queueing.firstCreated(prefix)).whenComplete((first, error) -> {
                if (error != null) {
                    fail(Queueing.unwrap(error));
                } else if (first.kvs().isEmpty()) {
                    awaitFirstPut(first.header().revision());
                } else {
                    KeyValue leader = first.kvs().get(0);
                    emit(new LeaderResponse(first.header(), leader));
                    follow(leader, first.header().revision());
                }
            });
        }

        /** No leader yet: the first put under the prefix makes one. */
        private void awaitFirstPut(long fromRevision) {
            watchFrom(WatchCreateRequest.prefix(prefix).withStartRevision(fromRevision), response -> {
                for (Event event : response.events()) {
                    if (event.type() == Event.Type.PUT) {
                        stopWatching();
                        KeyValue leader = event.kv();
                        ResponseHeader h = response.header();
                        // as etcd: the header carries the put's revision, not the batch's last one
                        emit(new LeaderResponse(new ResponseHeader(h.clusterId(), h.memberId(), leader.modRevision(),
                                h.raftTerm()), leader));
                        follow(leader, leader.modRevision());
                        return;
                    }
                }
            });
        }

        /** Sends every proclamation of the leader's key until it is deleted, then looks for the next leader. */
        private void follow(KeyValue leader, long seenRevision) {
            watchFrom(WatchCreateRequest.of(leader.key()).withStartRevision(seenRevision + 1), response -> {
                for (Event event : response.events()) {
                    if (event.type() == Event.Type.DELETE) {
                        stopWatching();
                        findLeader();
                        return;
                    }
                    emit(new LeaderResponse(response.header(), event.kv()));
                }
            });
        }

        private void watchFrom(WatchCreateRequest request, Consumer<WatchResponse> onEvents) {
            long generation;
            synchronized (this) {
                if (over()) {
                    return;
                }
                generation = ++watchGeneration;
            }
            watch.watch(request).subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    synchronized (Observation.this) {
                        if (generation != watchGeneration || over()) {
                            subscription.cancel();
                            return;
                        }
                        currentWatch = subscription;
                    }
                    subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(WatchResponse response) {
                    if (!current(generation)) {
                        return;
                    }
                    if (response.canceled()) {
                        stopWatching();
                        if (response.compactRevision() > 0) {
                            findLeader();
                        } else {
                            fail(new CairnException(ErrorCode.WATCH_CANCELED));
                        }
                        return;
                    }
                    onEvents.accept(response);
                }

                @Override
                public void onError(Throwable error) {
                    if (current(generation)) {
                        fail(error);
                    }
                }

                @Override
                public void onComplete() {
                    if (current(generation)) {
                        fail(new CairnException(ErrorCode.WATCH_CANCELED));
                    }
                }
            });
        }

        private synchronized boolean current(long generation) {
            return generation == watchGeneration && !over();
        }

        private void stopWatching() {
            Flow.Subscription toCancel;
            synchronized (this) {
                toCancel = currentWatch;
                currentWatch = null;
                watchGeneration++;
            }
            if (toCancel != null) {
                toCancel.cancel();
            }
        }

        private synchronized void emit(LeaderResponse response) {
            if (over()) {
                return;
            }
            if (queue.size() >= MAX_QUEUED) {
                fail(new CairnException(StatusCode.RESOURCE_EXHAUSTED,
                        "election observer fell behind by " + MAX_QUEUED + " proclamations"));
                return;
            }
            queue.add(response);
            drain();
        }

        private void fail(Throwable error) {
            synchronized (this) {
                if (over()) {
                    return;
                }
                failure = error;
                queue.clear();
                drain();
            }
            stopWatching();
        }

        private void drain() {
            if (terminated || cancelled || draining) {
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
            if (failure != null && !terminated && !cancelled) {
                terminated = true;
                subscriber.onError(failure);
            }
        }
    }
}
