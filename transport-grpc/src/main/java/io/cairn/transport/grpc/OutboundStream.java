package io.cairn.transport.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * Carries a {@link Flow.Publisher} of api records (watch responses, keep-alive answers, snapshot
 * chunks, election proclamations) onto a gRPC server stream, at the pace the client reads.
 *
 * <h2>Flow control</h2>
 * Demand is asked of the publisher only while gRPC says the stream is ready
 * ({@link ServerCallStreamObserver#isReady()}, i.e. its outbound buffer is under gRPC's threshold),
 * at most {@link #WINDOW} messages at a time, and topped up from {@code onReady} when the client has
 * read enough. A client that stops reading therefore stops the demand: at most {@code WINDOW}
 * messages are queued in gRPC beyond its threshold, and whatever the publisher cannot deliver stays
 * with the {@link io.cairn.api.Cairn} served, whose stream contract bounds it (it fails the stream
 * rather than buffer without limit). For bidirectional calls, {@link #pullInbound()} applies the same
 * rule to the client's requests: the next one is read only while the outbound side is ready, so a
 * client cannot queue creates or keep-alives faster than it reads their answers.
 *
 * <h2>Threading</h2>
 * Publisher signals (serial among themselves) and gRPC callbacks (on the call's serialised executor)
 * come from different threads; every use of the gRPC observer, which is not thread-safe, happens
 * under this object's lock. Calls into the publisher's subscription are made outside the lock, so a
 * publisher that signals synchronously from {@code request} cannot deadlock against it.
 */
final class OutboundStream<T, R> implements Flow.Subscriber<T> {

    /** The most messages requested from the publisher and not yet sent. */
    static final int WINDOW = 16;

    private final ServerCallStreamObserver<R> responses;
    private final Function<T, List<R>> toWire;
    private final boolean pacesInbound;

    // Guarded by this.
    private Flow.Subscription subscription;
    private long requested;
    private boolean done;
    private boolean inboundWanted;

    /**
     * Must be built during the service method (before it returns), when gRPC still accepts handlers.
     *
     * @param pacesInbound whether the call is bidirectional and its inbound messages are read one at a
     *     time through {@link #pullInbound()} (automatic inbound flow control is then switched off)
     */
    OutboundStream(ServerCallStreamObserver<R> responses, Function<T, R> toWire, boolean pacesInbound) {
        this(responses, pacesInbound, item -> List.of(toWire.apply(item)));
    }

    /** As the other constructor, for a mapping that turns one record into several wire messages. */
    OutboundStream(ServerCallStreamObserver<R> responses, boolean pacesInbound, Function<T, List<R>> toWire) {
        this.responses = responses;
        this.toWire = toWire;
        this.pacesInbound = pacesInbound;
        responses.setOnReadyHandler(this::onReady);
        responses.setOnCancelHandler(this::onCallCancelled);
        if (pacesInbound) {
            responses.disableAutoRequest();
            // The first request is read unconditionally: one message cannot flood anything, and a
            // stream that is not ready yet would otherwise depend on a later onReady to start.
            responses.request(1);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        boolean refuse;
        synchronized (this) {
            refuse = subscription != null || done;
            if (!refuse) {
                subscription = newSubscription;
            }
        }
        if (refuse) {
            newSubscription.cancel();
            return;
        }
        topUp();
    }

    @Override
    public void onNext(T item) {
        List<R> messages;
        try {
            messages = toWire.apply(item);
        } catch (RuntimeException encodeFailure) {
            fail(encodeFailure);
            return;
        }
        synchronized (this) {
            if (done) {
                return;
            }
            requested--;
            try {
                for (R message : messages) {
                    responses.onNext(message);
                }
            } catch (StatusRuntimeException callGone) {
                done = true;
            }
        }
        topUp();
    }

    @Override
    public void onError(Throwable failure) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            try {
                responses.onError(GrpcErrors.toStatus(failure));
            } catch (StatusRuntimeException callGone) {
                // the client went away first; nothing to tell it
            }
        }
    }

    @Override
    public void onComplete() {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            try {
                responses.onCompleted();
            } catch (StatusRuntimeException callGone) {
                // the client went away first
            }
        }
    }

    /** Ends the call with {@code failure} (as a status) and cancels the publisher. */
    void fail(Throwable failure) {
        Flow.Subscription toCancel;
        synchronized (this) {
            toCancel = subscription;
        }
        onError(failure);
        if (toCancel != null) {
            toCancel.cancel();
        }
    }

    /**
     * Asks gRPC for the client's next message, now if the outbound side is ready, else as soon as it
     * is. Call once per inbound message handled (the constructor asks for the first).
     */
    void pullInbound() {
        synchronized (this) {
            inboundWanted = true;
            requestInboundIfReady();
        }
    }

    private void requestInboundIfReady() {
        if (pacesInbound && inboundWanted && !done && responses.isReady()) {
            inboundWanted = false;
            responses.request(1);
        }
    }

    private void onReady() {
        synchronized (this) {
            requestInboundIfReady();
        }
        topUp();
    }

    private void onCallCancelled() {
        Flow.Subscription toCancel;
        synchronized (this) {
            done = true;
            toCancel = subscription;
        }
        if (toCancel != null) {
            toCancel.cancel();
        }
    }

    private void topUp() {
        Flow.Subscription target;
        long more;
        synchronized (this) {
            if (done || subscription == null || !responses.isReady() || requested > WINDOW / 2) {
                return;
            }
            more = WINDOW - requested;
            requested = WINDOW;
            target = subscription;
        }
        target.request(more);
    }
}
