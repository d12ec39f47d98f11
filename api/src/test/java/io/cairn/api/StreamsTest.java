package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.lease.Lease;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseGrantResponse;
import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.api.lease.LeaseLeasesResponse;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.api.lease.LeaseRevokeResponse;
import io.cairn.api.lease.LeaseTimeToLiveRequest;
import io.cairn.api.lease.LeaseTimeToLiveResponse;
import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/** The default methods that build on the stream interfaces, against hand-written streams. */
class StreamsTest {

    private static final ResponseHeader HEADER = new ResponseHeader(1, 2, 3, 4);

    /** Records what the default method asks of the stream. */
    static final class RecordingWatchStream implements WatchStream {
        final List<String> calls = new ArrayList<>();

        @Override
        public void subscribe(Flow.Subscriber<? super WatchResponse> subscriber) {
            calls.add("subscribe");
        }

        @Override
        public void create(WatchCreateRequest request) {
            calls.add("create " + request.key());
        }

        @Override
        public void cancel(long watchId) {
            calls.add("cancel " + watchId);
        }

        @Override
        public void requestProgress() {
            calls.add("progress");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void watchOpensOneStreamPerSubscriptionThenCreatesTheWatcher() {
        List<RecordingWatchStream> opened = new ArrayList<>();
        Watch watch = () -> {
            RecordingWatchStream stream = new RecordingWatchStream();
            opened.add(stream);
            return stream;
        };
        Flow.Publisher<WatchResponse> publisher = watch.watch(WatchCreateRequest.prefix(Bytes.fromUtf8("/a/")));
        assertTrue(opened.isEmpty(), "nothing is opened before a subscriber arrives");
        publisher.subscribe(new NoOpSubscriber<>());
        publisher.subscribe(new NoOpSubscriber<>());
        assertEquals(2, opened.size());
        assertEquals(List.of("subscribe", "create \"/a/\""), opened.get(0).calls);
        assertThrows(NullPointerException.class, () -> watch.watch(null));
    }

    /** A keep-alive stream that answers each keep-alive through {@code answer}. */
    static class ScriptedKeepAliveStream implements LeaseKeepAliveStream {
        final Consumer<Flow.Subscriber<? super LeaseKeepAliveResponse>> answer;
        Flow.Subscriber<? super LeaseKeepAliveResponse> subscriber;
        long requested;
        boolean closed;

        ScriptedKeepAliveStream(Consumer<Flow.Subscriber<? super LeaseKeepAliveResponse>> answer) {
            this.answer = answer;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super LeaseKeepAliveResponse> subscriber) {
            this.subscriber = subscriber;
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    requested += n;
                }

                @Override
                public void cancel() {
                    closed = true;
                }
            });
        }

        @Override
        public void keepAlive(long id) {
            if (requested > 0) {
                answer.accept(subscriber);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                subscriber.onComplete();
            }
        }
    }

    private static Lease leaseOver(ScriptedKeepAliveStream stream) {
        return new Lease() {
            @Override
            public CompletableFuture<LeaseGrantResponse> grant(LeaseGrantRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<LeaseRevokeResponse> revoke(LeaseRevokeRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public LeaseKeepAliveStream openKeepAliveStream() {
                return stream;
            }

            @Override
            public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(LeaseTimeToLiveRequest request) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<LeaseLeasesResponse> leases() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void keepAliveOnceAnswersWithTheFirstResponseAndClosesTheStream() throws Exception {
        LeaseKeepAliveResponse alive = new LeaseKeepAliveResponse(HEADER, 7, 30);
        ScriptedKeepAliveStream stream = new ScriptedKeepAliveStream(subscriber -> subscriber.onNext(alive));
        CompletableFuture<LeaseKeepAliveResponse> answer = leaseOver(stream).keepAliveOnce(7);
        assertSame(alive, answer.get());
        assertTrue(stream.closed);
        assertTrue(answer.get().isAlive());
        assertFalse(new LeaseKeepAliveResponse(HEADER, 7, 0).isAlive());
    }

    @Test
    void keepAliveOnceFailsWithTheStreamsError() {
        CairnException noLeader = new CairnException(ErrorCode.NO_LEADER);
        ScriptedKeepAliveStream stream = new ScriptedKeepAliveStream(subscriber -> subscriber.onError(noLeader));
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> leaseOver(stream).keepAliveOnce(7).get());
        assertSame(noLeader, thrown.getCause());
    }

    @Test
    void keepAliveOnceFailsWhenTheStreamEndsWithoutAnAnswer() {
        ScriptedKeepAliveStream stream = new ScriptedKeepAliveStream(Flow.Subscriber::onComplete);
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> leaseOver(stream).keepAliveOnce(7).get());
        CairnException cause = assertInstanceOf(CairnException.class, thrown.getCause());
        assertEquals(StatusCode.UNAVAILABLE, cause.status());
    }

    @Test
    void keepAliveOnceFailsInsteadOfThrowingWhenTheStreamRefuses() {
        ScriptedKeepAliveStream closedStream = new ScriptedKeepAliveStream(subscriber -> {}) {
            @Override
            public void keepAlive(long id) {
                throw new IllegalStateException("stream closed");
            }
        };
        CompletableFuture<LeaseKeepAliveResponse> answer = leaseOver(closedStream).keepAliveOnce(7);
        ExecutionException thrown = assertThrows(ExecutionException.class, answer::get);
        assertInstanceOf(IllegalStateException.class, thrown.getCause());
        assertTrue(closedStream.closed);
    }

    static final class NoOpSubscriber<T> implements Flow.Subscriber<T> {
        @Override
        public void onSubscribe(Flow.Subscription subscription) {}

        @Override
        public void onNext(T item) {}

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {}
    }
}
