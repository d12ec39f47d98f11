package io.cairn.transport.grpc;

import io.cairn.etcd.protocol.KvMapping;
import io.cairn.api.Cairn;
import io.cairn.api.watch.WatchStream;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.List;

/**
 * etcd's {@code etcdserverpb.Watch} service: one gRPC call is one {@link WatchStream} of
 * {@link Cairn#watch()}, with create, cancel and progress requests multiplexed on it, and every
 * response (created, canceled, events, progress, each with its watch id) sent back in the order the
 * stream publishes them, paced by the client (see {@link OutboundStream}).
 *
 * <p>Fragments: {@code fragment} is passed through both ways; this transport never fragments events
 * itself. A request with no member of the union set is ignored, as etcd does. When the client
 * half-closes, the stream stays open and keeps sending events, as etcd's does; it ends when the client
 * cancels the call, when the api stream ends, or when the endpoint closes.
 */
final class WatchService extends WatchGrpc.WatchImplBase {

    private final Cairn cairn;

    WatchService(Cairn cairn) {
        this.cairn = cairn;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        var call = (ServerCallStreamObserver<WatchResponse>) responses;
        var outbound = new OutboundStream<io.cairn.api.watch.WatchResponse, WatchResponse>(call, true, WatchService::toWire);
        WatchStream stream;
        try {
            stream = cairn.watch().openStream();
            stream.subscribe(outbound);
        } catch (RuntimeException failure) {
            outbound.fail(failure);
            return new Ignored<>();
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest request) {
                try {
                    switch (request.getRequestUnionCase()) {
                        case CREATE_REQUEST -> stream.create(KvMapping.toApi(request.getCreateRequest()));
                        case CANCEL_REQUEST -> stream.cancel(request.getCancelRequest().getWatchId());
                        case PROGRESS_REQUEST -> stream.requestProgress();
                        case REQUESTUNION_NOT_SET -> { } // etcd ignores an empty request rather than end the stream
                    }
                } catch (RuntimeException failure) {
                    // Fail first: closing the api stream first would complete the call with OK.
                    outbound.fail(failure);
                    stream.close();
                    return;
                }
                outbound.pullInbound();
            }

            @Override
            public void onError(Throwable clientGone) {
                stream.close();
            }

            @Override
            public void onCompleted() {
                // Half-close: etcd keeps the stream and its watchers; so does this.
            }
        };
    }

    /**
     * One api response as etcd sends it. etcd answers a create whose start revision is compacted with
     * two messages: {@code created}, then {@code canceled} with {@code compact_revision}; clients rely
     * on that (jetcd ignores {@code canceled} on a {@code created} response and would wait forever).
     * The api allows the server to say both in one response, so such a response is split here.
     */
    static List<WatchResponse> toWire(io.cairn.api.watch.WatchResponse response) {
        WatchResponse wire = KvMapping.toWire(response);
        if (response.created() && response.canceled() && response.compactRevision() != 0) {
            return List.of(wire.toBuilder().setCanceled(false).setCompactRevision(0).setCancelReason("").build(),
                    wire.toBuilder().setCreated(false).build());
        }
        return List.of(wire);
    }

    /** The inbound side of a call that has already failed. */
    static final class Ignored<T> implements StreamObserver<T> {
        @Override
        public void onNext(T value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
