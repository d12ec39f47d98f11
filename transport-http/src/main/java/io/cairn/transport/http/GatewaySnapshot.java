package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.api.maintenance.SnapshotResponse;
import io.cairn.etcd.protocol.ServiceMapping;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code /v3/maintenance/snapshot}: the member's snapshot as etcd's gateway streams it, one
 * {@code {"result":{"header":…,"remaining_bytes":…,"blob":"<base64>"}}} line per chunk, a chunk
 * asked for only once the previous line is written (so a slow client holds back the member, not its
 * memory); a failure after the start is grpc-gateway's {@code {"error":…}} line. Runs on a stream
 * thread: it blocks on the connection.
 */
final class GatewaySnapshot implements Runnable, Flow.Subscriber<SnapshotResponse> {

    private static final Object END = new Object();

    private final Cairn cairn;
    private final HttpServerExchange exchange;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;

    GatewaySnapshot(Cairn cairn, HttpServerExchange exchange) {
        this.cairn = cairn;
        this.exchange = exchange;
    }

    @Override
    public void run() {
        try {
            exchange.startBlocking();
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getConnection().addCloseListener(connection -> cancel());
            OutputStream out = exchange.getOutputStream();
            cairn.maintenance().snapshot().subscribe(this);
            while (true) {
                Object next = queue.poll(60, TimeUnit.SECONDS);
                if (next == null || next == END) {
                    break;
                }
                if (next instanceof Throwable failure) {
                    write(out, Gateway.streamError(Gateway.toWireError(failure)));
                    break;
                }
                write(out, Gateway.result(ServiceMapping.toWire((SnapshotResponse) next)));
                Flow.Subscription current = subscription;
                if (current != null) {
                    current.request(1);
                }
            }
            out.close();
        } catch (IOException | RuntimeException clientGoneOrFailed) {
            cancel(); // nothing more can be written
        } catch (InterruptedException interrupted) {
            cancel();
            Thread.currentThread().interrupt();
        } finally {
            exchange.endExchange();
        }
    }

    private void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        queue.add(END);
    }

    private static void write(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(SnapshotResponse item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable failure) {
        queue.add(failure);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }
}
