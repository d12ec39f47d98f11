package io.cairn.transport.http;

import com.google.protobuf.Message;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One server-streaming gateway call on a {@link Flow.Publisher} of the api, such as
 * {@code POST /v3/election/observe}: every item written as a {@code {"result":...}} line, flushed at
 * once, until the publisher ends (a failure becomes grpc-gateway's {@code {"error":...}} line), the
 * client goes away (seen at the next write or when the connection closes), or the endpoint closes.
 * Runs on a stream thread, which blocks on the queue and on writes; it asks the publisher for one item
 * per line written, so a slow client slows the stream rather than filling memory.
 *
 * @param <T> the api's item type
 */
final class GatewayStream<T> implements Runnable, Flow.Subscriber<T> {

    private static final Object END = new Object();
    private static final int PREFETCH = 16;

    private final HttpServerExchange exchange;
    private final Flow.Publisher<T> publisher;
    private final Function<T, ? extends Message> toWire;
    private final Consumer<GatewayStream<T>> onEnd;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    GatewayStream(HttpServerExchange exchange, Flow.Publisher<T> publisher, Function<T, ? extends Message> toWire,
            Consumer<GatewayStream<T>> onEnd) {
        this.exchange = exchange;
        this.publisher = publisher;
        this.toWire = toWire;
        this.onEnd = onEnd;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        try {
            exchange.startBlocking();
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getConnection().addCloseListener(connection -> close());
            OutputStream out = exchange.getOutputStream();
            out.flush(); // the headers go now: clients see the stream open before the first item
            if (!closed) {
                publisher.subscribe(this);
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
                write(out, Gateway.result(toWire.apply((T) next)));
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
            cancel();
            exchange.endExchange();
            onEnd.accept(this);
        }
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    /** Ends the stream: the response finishes after what is already queued. */
    void close() {
        closed = true;
        cancel();
        queue.offer(END);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (closed) {
            subscription.cancel();
            return;
        }
        subscription.request(PREFETCH);
    }

    @Override
    public void onNext(T item) {
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
