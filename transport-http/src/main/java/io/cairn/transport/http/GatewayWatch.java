package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.etcd.protocol.KvMapping;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * One {@code POST /v3/watch}: one api {@link WatchStream}, the body's requests applied to it, and
 * every response written as a {@code {"result":...}} line, flushed at once, until the stream ends,
 * the client goes away (seen at the next write or when the connection closes), or the endpoint
 * closes. Runs on a stream thread, which blocks on the queue and on writes; the subscriber asks
 * the stream for one response per line written, so a slow client slows the stream rather than
 * filling memory.
 */
final class GatewayWatch implements Runnable, Flow.Subscriber<io.cairn.api.watch.WatchResponse> {

    private static final Object END = new Object();
    private static final int PREFETCH = 16;

    private final Cairn cairn;
    private final HttpServerExchange exchange;
    private final List<WatchRequest> requests;
    private final Consumer<GatewayWatch> onEnd;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile WatchStream stream;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    GatewayWatch(Cairn cairn, HttpServerExchange exchange, List<WatchRequest> requests, Consumer<GatewayWatch> onEnd) {
        this.cairn = cairn;
        this.exchange = exchange;
        this.requests = requests;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try {
            exchange.startBlocking();
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getConnection().addCloseListener(connection -> close());
            OutputStream out = exchange.getOutputStream();
            out.flush(); // the headers go now: clients see the stream open before the first event
            WatchStream opened = cairn.watch().openStream();
            stream = opened;
            opened.subscribe(this);
            for (WatchRequest request : requests) {
                switch (request.getRequestUnionCase()) {
                    case CREATE_REQUEST -> opened.create(KvMapping.toApi(request.getCreateRequest()));
                    case CANCEL_REQUEST -> opened.cancel(request.getCancelRequest().getWatchId());
                    case PROGRESS_REQUEST -> opened.requestProgress();
                    case REQUESTUNION_NOT_SET -> { } // etcd ignores an empty request
                }
            }
            if (closed) {
                opened.close();
            }
            while (true) {
                Object next = queue.take();
                if (next == END) {
                    break;
                }
                if (next instanceof Throwable failure) {
                    write(out, Gateway.streamError(Gateway.toWireError(failure)));
                    break;
                }
                for (WatchResponse wire : Gateway.watchToWire().apply((io.cairn.api.watch.WatchResponse) next)) {
                    write(out, Gateway.result(wire));
                }
                Flow.Subscription current = subscription;
                if (current != null) {
                    current.request(1);
                }
            }
            out.close();
        } catch (IOException | RuntimeException clientGoneOrFailed) {
            // the client went away (or the stream failed): nothing more can be written
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt(); // the endpoint is stopping
        } finally {
            WatchStream opened = stream;
            if (opened != null) {
                opened.close();
            }
            exchange.endExchange();
            onEnd.accept(this);
        }
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends the stream: the response finishes after what is already queued. */
    void close() {
        closed = true;
        WatchStream opened = stream;
        if (opened != null) {
            opened.close();
        }
        queue.offer(END);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(PREFETCH);
    }

    @Override
    public void onNext(io.cairn.api.watch.WatchResponse item) {
        queue.offer(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.offer(throwable);
    }

    @Override
    public void onComplete() {
        queue.offer(END);
    }
}
