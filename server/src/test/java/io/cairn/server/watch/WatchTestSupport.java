package io.cairn.server.watch;

import io.cairn.api.Bytes;
import io.cairn.api.ResponseHeader;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.server.mvcc.TestBackends;
import io.cairn.server.mvcc.WriteResult;
import io.cairn.spi.storage.Backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real store on the test backend, a hub on it, and the apply loop's part played by the test thread. */
abstract class WatchTestSupport {

    static final ResponseHeader HEADER = new ResponseHeader(0xC1, 0xA1, 0, 7);
    static final Duration WAIT = Duration.ofSeconds(10);

    Backend backend;
    MvccStore store;
    WatchHub hub;
    long raftIndex;

    @BeforeEach
    void openHub() {
        backend = TestBackends.create();
        store = MvccStore.open(backend, MvccStore.Options.defaults(lease -> true));
        hub = new WatchHub(store, hubOptions());
    }

    @AfterEach
    void closeHub() {
        hub.close();
        store.close();
        TestBackends.destroy(backend);
    }

    WatchHub.Options hubOptions() {
        return WatchHub.Options.defaults();
    }

    static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    WatchStream open() {
        return hub.openStream(() -> HEADER);
    }

    /** What the node's apply loop does: apply, then hand the events to the hub. */
    <R> long applied(WriteResult<R> result) {
        hub.onApplied(result.revision(), result.events());
        return result.revision();
    }

    long put(String key, String value) {
        return applied(store.applyPut(++raftIndex, PutRequest.of(b(key), b(value))));
    }

    long delete(String key) {
        return applied(store.applyDeleteRange(++raftIndex, DeleteRangeRequest.of(b(key))));
    }

    long deletePrefix(String prefix) {
        return applied(store.applyDeleteRange(++raftIndex, DeleteRangeRequest.prefix(b(prefix))));
    }

    /** One revision putting every key. */
    long putAll(List<String> keys, String value) {
        List<RequestOp> ops = new ArrayList<>();
        for (String key : keys) {
            ops.add(PutRequest.of(b(key), b(value)));
        }
        return applied(store.applyTxn(++raftIndex, new TxnRequest(List.of(), ops, List.of())));
    }

    void compact(long revision) {
        store.applyCompaction(++raftIndex, revision);
        hub.onCompacted(revision);
    }

    /** A subscriber that records every signal and requests what the test says. */
    static class Recorder implements Flow.Subscriber<WatchResponse> {
        final LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean completed;
        volatile Flow.Subscription subscription;
        private final long initialDemand;

        Recorder(long initialDemand) {
            this.initialDemand = initialDemand;
        }

        static Recorder unbounded(WatchStream stream) {
            Recorder recorder = new Recorder(Long.MAX_VALUE);
            stream.subscribe(recorder);
            return recorder;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (initialDemand > 0) {
                subscription.request(initialDemand);
            }
        }

        @Override
        public void onNext(WatchResponse item) {
            responses.add(item);
        }

        @Override
        public void onError(Throwable throwable) {
            errors.add(throwable);
        }

        @Override
        public void onComplete() {
            completed = true;
        }

        /**
         * The subscription, once the stream has signalled it: streams may call onSubscribe later, on
         * their own delivery thread, as the Reactive Streams rules allow.
         */
        Flow.Subscription awaitSubscription() {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (subscription == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no onSubscribe within " + WAIT + "; errors " + errors);
                }
                Thread.onSpinWait();
                Thread.yield();
            }
            return subscription;
        }

        WatchResponse next() {
            try {
                WatchResponse response = responses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (response == null) {
                    throw new AssertionError("no watch response within " + WAIT + "; errors " + errors);
                }
                return response;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** The next response that satisfies {@code wanted}, failing on any other in between. */
        WatchResponse next(Predicate<WatchResponse> wanted, String what) {
            WatchResponse response = next();
            if (!wanted.test(response)) {
                throw new AssertionError("expected " + what + " but got " + response);
            }
            return response;
        }

        /** No response arrives within {@code millis}. */
        void expectNothing(long millis) {
            try {
                WatchResponse response = responses.poll(millis, TimeUnit.MILLISECONDS);
                if (response != null) {
                    throw new AssertionError("expected no response but got " + response);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Events of {@code watchId} until {@code count} have arrived, skipping progress notifications. */
        List<Event> events(long watchId, int count) {
            List<Event> events = new ArrayList<>();
            while (events.size() < count) {
                WatchResponse response = next();
                if (response.isProgressNotify()) {
                    continue;
                }
                if (response.watchId() != watchId || response.events().isEmpty()) {
                    throw new AssertionError("expected events of watcher " + watchId + " but got " + response);
                }
                events.addAll(response.events());
            }
            if (events.size() != count) {
                throw new AssertionError("expected " + count + " events but got " + events.size() + ": " + events);
            }
            return events;
        }
    }

    static String describe(Event event) {
        return event.type() + " " + event.kv().key().toUtf8() + "@" + event.kv().modRevision()
                + (event.type() == Event.Type.PUT ? "=" + event.kv().value().toUtf8() : "");
    }

    static List<String> describe(List<Event> events) {
        return events.stream().map(WatchTestSupport::describe).toList();
    }
}
