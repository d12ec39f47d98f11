package io.cairn.client;

import io.cairn.api.ResponseHeader;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchProgressRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A watch stream that outlives its gRPC call: when the call fails because the member went away
 * (UNAVAILABLE, or reset by a member shutting down, see {@link Errors#isLostMember}) or the server ends it, the stream opens a new call, on the next
 * endpoint, with backoff, until it is closed, and creates every watcher again from the revision after
 * the last one it delivered. The subscriber sees neither the reconnection nor a repeated or lost
 * event. If the revision to resume from was compacted meanwhile, the watcher is canceled with
 * {@code compactRevision} set, as for a create below the compaction.
 *
 * <p>Watch ids: the server numbers watchers per call, so after a reconnection its ids differ. The
 * caller sees ids of this stream's own: the one it asked for, or the next free one from 0 (as a
 * server numbers them); responses are renumbered on the way in.
 *
 * <p>The resume revision of a watcher is the revision after the last event delivered (after the
 * last part of a fragmented revision), raised by progress notifications; before any event it is the
 * revision after the one the watcher was created at. A reconnection in the middle of a fragmented
 * revision delivers that revision again, whole.
 *
 * <p>Locking: all state is guarded by this object; gRPC callbacks and the caller's calls take it.
 * Signals to the subscriber go through an {@link Outbox}, outside the lock.
 */
final class RemoteWatchStream implements WatchStream {

    /** Responses kept for a subscriber that does not keep up, before the stream fails rather than drop one. */
    private static final int CAPACITY = 100_000;
    private static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
    private static final ResponseHeader NO_HEADER = new ResponseHeader(0, 0, 0, 0);

    private static final class Watcher {
        final long id;
        final WatchCreateRequest request;
        boolean announced;
        long resumeRevision; // 0 until announced, when the caller asked "from now"
        boolean cancelRequested;
        long serverId = -1;

        Watcher(long id, WatchCreateRequest request) {
            this.id = id;
            this.request = request;
            this.resumeRevision = request.startRevision();
        }
    }

    private final Connection connection;
    private final Namespace namespace;
    private final StreamRegistry registry;
    private final Outbox<WatchResponse> outbox;
    private final Runnable closer = this::close;

    private final Map<Long, Watcher> watchers = new LinkedHashMap<>();
    private final ArrayDeque<Watcher> awaitingCreate = new ArrayDeque<>();
    private final Map<Long, Watcher> byServerId = new HashMap<>();
    private ClientCall<WatchRequest, io.cairn.etcd.protocol.etcdserverpb.WatchResponse> call;
    private StreamObserver<WatchRequest> requests;
    private int generation;
    private int failures;
    private boolean progressWanted;
    private boolean closed;

    RemoteWatchStream(Connection connection, Namespace namespace, StreamRegistry registry) {
        this.connection = connection;
        this.namespace = namespace;
        this.registry = registry;
        this.outbox = new Outbox<>(CAPACITY, this::close);
        registry.add(closer);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super WatchResponse> subscriber) {
        outbox.subscribe(subscriber);
    }

    /** Opens a call (after the token is ready) and sends every watcher's create on it. */
    synchronized void connect() {
        if (closed) {
            return;
        }
        int myGeneration = ++generation;
        call = null;
        requests = null;
        connection.ready().whenComplete((ignored, authFailure) -> {
            if (authFailure != null) {
                fail(Errors.toCairn(authFailure));
            } else {
                open(myGeneration);
            }
        });
    }

    private synchronized void open(int myGeneration) {
        if (closed || myGeneration != generation) {
            return;
        }
        int index = connection.currentIndex();
        call = connection.channel(index).newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
        requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(io.cairn.etcd.protocol.etcdserverpb.WatchResponse response) {
                received(myGeneration, response);
            }

            @Override
            public void onError(Throwable failure) {
                callEnded(myGeneration, index, failure);
            }

            @Override
            public void onCompleted() {
                callEnded(myGeneration, index, null);
            }
        });
        awaitingCreate.clear();
        byServerId.clear();
        for (var it = watchers.values().iterator(); it.hasNext(); ) {
            Watcher watcher = it.next();
            if (watcher.cancelRequested && watcher.announced) {
                // Its cancel may not have reached the old call: it is canceled now, here.
                it.remove();
                outbox.offer(new WatchResponse(NO_HEADER, watcher.id, false, true, 0, "", false, List.of()));
                continue;
            }
            sendCreate(watcher);
        }
        if (progressWanted) {
            progressWanted = false;
            requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
        }
    }

    private void sendCreate(Watcher watcher) {
        WatchCreateRequest request = watcher.request.withWatchId(0).withStartRevision(watcher.resumeRevision);
        awaitingCreate.add(watcher);
        requests.onNext(WatchRequest.newBuilder()
                .setCreateRequest(namespace.apply(ClientMapping.toWire(request))).build());
    }

    @Override
    public synchronized void create(WatchCreateRequest request) {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new IllegalStateException("the watch stream is closed");
        }
        long id = request.watchId();
        if (id != 0 && watchers.containsKey(id)) {
            outbox.offer(new WatchResponse(NO_HEADER, id, true, true, 0, DUPLICATE_ID, false, List.of()));
            return;
        }
        if (id == 0) {
            while (watchers.containsKey(id)) {
                id++;
            }
            // The caller's later explicit ids are its business; automatic ones fill from 0 as a server does.
        }
        Watcher watcher = new Watcher(id, request);
        watchers.put(id, watcher);
        if (requests != null) {
            sendCreate(watcher);
        }
    }

    @Override
    public synchronized void cancel(long watchId) {
        if (closed) {
            throw new IllegalStateException("the watch stream is closed");
        }
        Watcher watcher = watchers.get(watchId);
        if (watcher == null || watcher.cancelRequested) {
            return;
        }
        watcher.cancelRequested = true;
        if (requests != null && watcher.serverId >= 0 && byServerId.get(watcher.serverId) == watcher) {
            requests.onNext(WatchRequest.newBuilder()
                    .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watcher.serverId)).build());
        }
        // Otherwise the cancel goes out once the server has answered the create.
    }

    @Override
    public synchronized void requestProgress() {
        if (closed) {
            throw new IllegalStateException("the watch stream is closed");
        }
        if (requests != null) {
            requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
        } else {
            progressWanted = true;
        }
    }

    private void received(int myGeneration, io.cairn.etcd.protocol.etcdserverpb.WatchResponse wire) {
        WatchResponse response = ClientMapping.toApi(namespace.strip(wire));
        synchronized (this) {
            if (closed || myGeneration != generation) {
                return;
            }
            failures = 0;
            if (response.created()) {
                createdAnswer(response);
            } else if (response.watchId() == -1) {
                // Stream-wide progress: every watcher has caught up with the header's revision.
                for (Watcher watcher : byServerId.values()) {
                    advance(watcher, response.header().revision() + 1);
                }
                outbox.offer(response);
            } else {
                Watcher watcher = byServerId.get(response.watchId());
                if (watcher == null) {
                    return; // a watcher canceled before the reconnection; nothing to say to the caller
                }
                if (response.canceled()) {
                    byServerId.remove(response.watchId());
                    watchers.remove(watcher.id);
                } else if (!response.events().isEmpty()) {
                    if (!response.fragment()) {
                        List<Event> events = response.events();
                        advance(watcher, events.get(events.size() - 1).kv().modRevision() + 1);
                    }
                } else if (response.isProgressNotify()) {
                    advance(watcher, response.header().revision() + 1);
                }
                outbox.offer(renumbered(response, watcher.id, response.created()));
            }
        }
    }

    private static void advance(Watcher watcher, long revision) {
        if (watcher.announced && revision > watcher.resumeRevision) {
            watcher.resumeRevision = revision;
        }
    }

    /** Guarded by this. The server answers creates in the order they were sent. */
    private void createdAnswer(WatchResponse response) {
        Watcher watcher = awaitingCreate.poll();
        if (watcher == null) {
            return;
        }
        if (response.canceled()) {
            watchers.remove(watcher.id);
            // A resumed watcher was announced before: to the caller this is its cancellation.
            outbox.offer(renumbered(response, watcher.id, !watcher.announced));
            return;
        }
        watcher.serverId = response.watchId();
        byServerId.put(watcher.serverId, watcher);
        if (!watcher.announced) {
            watcher.announced = true;
            if (watcher.resumeRevision == 0) {
                watcher.resumeRevision = response.header().revision() + 1;
            }
            outbox.offer(renumbered(response, watcher.id, true));
        }
        if (watcher.cancelRequested) {
            requests.onNext(WatchRequest.newBuilder()
                    .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watcher.serverId)).build());
        }
    }

    private static WatchResponse renumbered(WatchResponse response, long id, boolean created) {
        return new WatchResponse(response.header(), id, created, response.canceled(), response.compactRevision(),
                response.cancelReason(), response.fragment(), response.events());
    }

    private void callEnded(int myGeneration, int index, Throwable failure) {
        synchronized (this) {
            if (closed || myGeneration != generation) {
                return;
            }
            boolean lost = failure == null || Errors.isLostMember(failure);
            if (failure != null && Errors.isInvalidToken(failure)) {
                connection.invalidateToken();
            } else if (!lost) {
                // Not a lost member: a refusal (bad request, permission) that another call would get too.
                closeLocked();
                outbox.fail(Errors.toCairn(failure));
                return;
            }
            if (failure != null) {
                connection.failover(index);
            }
            call = null;
            requests = null;
            generation++;
            failures++;
            long delay = connection.backoffMillis(failures);
            try {
                connection.timer().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException clientClosed) {
                closeLocked();
                outbox.fail(Errors.closed());
            }
        }
    }

    private void fail(Throwable failure) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closeLocked();
        }
        outbox.fail(failure);
    }

    private void closeLocked() {
        closed = true;
        registry.remove(closer);
        if (call != null) {
            call.cancel("watch stream closed", null);
        }
        call = null;
        requests = null;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closeLocked();
        }
        outbox.complete();
    }
}
