package io.cairn.recipes;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A live copy of every key under a prefix: read once, then kept current from a watch that starts right
 * after the read's revision, so no change is missed or seen twice. After each read and each watch
 * response, {@code onChange} gets the whole copy (unmodifiable), serially. A compacted watch (it fell
 * behind) reads again. Used by {@link ServiceRegistry} and {@link ConfigWatcher}.
 */
final class PrefixMirror implements AutoCloseable {

    private final Cairn cairn;
    private final Bytes prefix;
    private final Consumer<SortedMap<Bytes, KeyValue>> onChange;
    private final Consumer<Throwable> onFailure;
    private final TreeMap<Bytes, KeyValue> keys = new TreeMap<>(); // guarded by this
    private Flow.Subscription watch; // guarded by this
    private boolean closed; // guarded by this

    PrefixMirror(Cairn cairn, Bytes prefix, Consumer<SortedMap<Bytes, KeyValue>> onChange, Consumer<Throwable> onFailure) {
        this.cairn = cairn;
        this.prefix = prefix;
        this.onChange = onChange;
        this.onFailure = onFailure;
    }

    /** Reads the prefix, calls {@code onChange} with it before returning, then follows changes. */
    void start() throws InterruptedException {
        RangeResponse now = Waits.join(cairn.kv().range(RangeRequest.prefix(prefix)));
        loaded(now);
    }

    private void loaded(RangeResponse now) {
        synchronized (this) {
            if (closed) {
                return;
            }
            keys.clear();
            for (KeyValue kv : now.kvs()) {
                keys.put(kv.key(), kv);
            }
            publish();
        }
        follow(now.header().revision() + 1);
    }

    private void follow(long fromRevision) {
        cairn.watch().watch(WatchCreateRequest.prefix(prefix).withStartRevision(fromRevision)).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                synchronized (PrefixMirror.this) {
                    if (closed) {
                        subscription.cancel();
                        return;
                    }
                    watch = subscription;
                }
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(WatchResponse response) {
                if (response.canceled()) {
                    if (response.compactRevision() > 0) {
                        cairn.kv().range(RangeRequest.prefix(prefix)).whenComplete((now, failure) -> {
                            if (failure != null) {
                                onFailure.accept(failure);
                            } else {
                                loaded(now);
                            }
                        });
                    } else {
                        onFailure.accept(new IllegalStateException("watch canceled: " + response.cancelReason()));
                    }
                    return;
                }
                if (response.events().isEmpty()) {
                    return;
                }
                synchronized (PrefixMirror.this) {
                    if (closed) {
                        return;
                    }
                    for (Event event : response.events()) {
                        if (event.type() == Event.Type.PUT) {
                            keys.put(event.kv().key(), event.kv());
                        } else {
                            keys.remove(event.kv().key());
                        }
                    }
                    publish();
                }
            }

            @Override
            public void onError(Throwable failure) {
                onFailure.accept(failure);
            }

            @Override
            public void onComplete() {}
        });
    }

    /** Hands the copy to {@code onChange}; a listener that throws is logged, and the mirror goes on. */
    private void publish() {
        try {
            onChange.accept(Collections.unmodifiableSortedMap(new TreeMap<>(keys)));
        } catch (RuntimeException listenerFailure) {
            System.getLogger(PrefixMirror.class.getName()).log(System.Logger.Level.WARNING,
                    "a listener of " + prefix + " failed", listenerFailure);
        }
    }

    @Override
    public void close() {
        Flow.Subscription toCancel;
        synchronized (this) {
            closed = true;
            toCancel = watch;
            watch = null;
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
    }
}
