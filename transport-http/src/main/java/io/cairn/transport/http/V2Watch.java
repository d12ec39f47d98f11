package io.cairn.transport.http;

import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One v2 long poll ({@code GET /v2/keys/...?wait=true}): a v3 watch of the whole v2 namespace from
 * {@code waitIndex} (or the next index), whose events are turned into v2 events until one concerns
 * the watched key; that one is the answer ({@code stream=true}: every one, until the client leaves).
 * The headers go out at once, as etcd flushes them, so clients with a header timeout (etcdctl: 1 s)
 * wait for the body instead. Runs on a stream thread.
 */
final class V2Watch implements Runnable, Flow.Subscriber<WatchResponse> {

    /**
     * etcd v2 keeps the last 1000 events; older indexes are "outdated and cleared". Counted here in v2
     * writes (V2.md): v3 writes do not push v2 events out, and expirations are not counted.
     */
    static final long HISTORY = 1000;

    private static final Object END = new Object();
    private static final HttpString X_ETCD_INDEX = new HttpString("X-Etcd-Index");

    private final V2Store store;
    private final HttpServerExchange exchange;
    private final String path;
    private final boolean recursive;
    private final long waitIndex;
    private final boolean stream;
    private final Consumer<V2Watch> onEnd;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;

    V2Watch(V2Store store, HttpServerExchange exchange, String path, boolean recursive, long waitIndex, boolean stream,
            Consumer<V2Watch> onEnd) {
        this.store = store;
        this.exchange = exchange;
        this.path = path;
        this.recursive = recursive;
        this.waitIndex = waitIndex;
        this.stream = stream;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try {
            long current = store.currentIndex();
            if (waitIndex > 0 && waitIndex <= current) {
                try {
                    // v2 events at waitIndex or later: more than the window means waitIndex's fell out
                    long newer = store.v2WritesUpTo(current) - store.v2WritesUpTo(waitIndex - 1);
                    if (newer > HISTORY) {
                        throw cleared(store.oldestOfLastWrites(HISTORY, waitIndex - 1, current), current);
                    }
                } catch (io.cairn.api.CompactedException compacted) {
                    // the watch below answers with the compaction revision
                }
            }
            long start = waitIndex > 0 ? waitIndex : current + 1;
            store.cairn().watch().watch(WatchCreateRequest.prefix(V2Node.PREFIX).withStartRevision(start).withPrevKv(true))
                    .subscribe(this);
            exchange.getConnection().addCloseListener(connection -> close());
            Object first = queue.poll(10, TimeUnit.SECONDS);
            if (first instanceof WatchResponse created && created.canceled() && created.compactRevision() != 0) {
                throw cleared(created.compactRevision(), current);
            }
            if (first == null || first == END || first instanceof Throwable) {
                throw new V2Error(V2Error.RAFT_INTERNAL, "the watch could not start", current);
            }
            exchange.startBlocking();
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseHeaders().put(X_ETCD_INDEX, Long.toString(current));
            OutputStream out = exchange.getOutputStream();
            out.flush();
            if (first instanceof WatchResponse response && deliver(out, response)) {
                return;
            }
            while (true) {
                Object next = queue.take();
                if (next == END || next instanceof Throwable) {
                    break;
                }
                if (deliver(out, (WatchResponse) next)) {
                    return;
                }
            }
        } catch (V2Error error) {
            V2Keys.sendError(exchange, error);
        } catch (IOException | RuntimeException clientGoneOrFailed) {
            // nothing more can be written
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
            exchange.endExchange();
            onEnd.accept(this);
        }
    }

    private V2Error cleared(long oldest, long current) {
        return new V2Error(V2Error.EVENT_INDEX_CLEARED,
                "the requested history has been cleared [" + oldest + "/" + waitIndex + "]", current);
    }

    /** Writes the events of {@code response} this watcher sees; true when the answer is complete. */
    private boolean deliver(OutputStream out, WatchResponse response) throws IOException {
        List<Event> events = response.events();
        int i = 0;
        while (i < events.size()) {
            long revision = V2Events.revision(events.get(i));
            List<Event> sameRevision = new ArrayList<>();
            while (i < events.size() && V2Events.revision(events.get(i)) == revision) {
                sameRevision.add(events.get(i++));
            }
            for (V2Events.V2Event event : V2Events.of(revision, sameRevision)) {
                if (event.matches(path, recursive)) {
                    out.write(event.json().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (!stream) {
                        out.close();
                        return true;
                    }
                }
            }
        }
        Flow.Subscription current = subscription;
        if (current != null) {
            current.request(1);
        }
        return false;
    }

    void close() {
        queue.offer(END);
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(4);
    }

    @Override
    public void onNext(WatchResponse item) {
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
