package io.cairn.client;

import io.cairn.api.lease.LeaseKeepAliveResponse;
import io.cairn.api.lease.LeaseKeepAliveStream;
import io.cairn.etcd.protocol.ClientMapping;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * One {@code LeaseKeepAlive} call as a {@link LeaseKeepAliveStream}. It does not reconnect: a failure
 * ends it with {@code onError} (UNAVAILABLE also moves the client to the next endpoint). Renewing a
 * lease for as long as the caller wants, across failures, is {@link LeaseKeepAlive}'s job.
 */
final class RemoteKeepAliveStream implements LeaseKeepAliveStream {

    /** Answers kept for a subscriber that does not request: one per keep-alive sent, so few. */
    private static final int CAPACITY = 10_000;

    private final Connection connection;
    private final Outbox<LeaseKeepAliveResponse> outbox;
    // guarded by this: the call once started, the keep-alives asked for before, and whether it ended
    private ClientCall<LeaseKeepAliveRequest, io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse> call;
    private StreamObserver<LeaseKeepAliveRequest> requests;
    private final List<Long> pending = new ArrayList<>();
    private boolean closed;

    RemoteKeepAliveStream(Connection connection) {
        this.connection = connection;
        this.outbox = new Outbox<>(CAPACITY, this::close);
        // The call starts once the client holds its auth token (at once without a user): a stream
        // carries the token it started with. Keep-alives sent before go out when it starts.
        connection.ready().whenComplete((ignored, authFailure) -> {
            if (authFailure != null) {
                synchronized (this) {
                    closed = true;
                }
                outbox.fail(Errors.toCairn(authFailure));
            } else {
                start();
            }
        });
    }

    private void start() {
        int index = connection.currentIndex();
        ClientCall<LeaseKeepAliveRequest, io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse> started =
                connection.channel(index).newCall(LeaseGrpc.getLeaseKeepAliveMethod(), CallOptions.DEFAULT);
        StreamObserver<LeaseKeepAliveRequest> sender = ClientCalls.asyncBidiStreamingCall(started, new StreamObserver<>() {
            @Override
            public void onNext(io.cairn.etcd.protocol.etcdserverpb.LeaseKeepAliveResponse response) {
                outbox.offer(ClientMapping.toApi(response));
            }

            @Override
            public void onError(Throwable failure) {
                if (Errors.isLostMember(failure)) {
                    connection.failover(index);
                }
                if (Errors.isInvalidToken(failure)) {
                    connection.invalidateToken();
                }
                synchronized (RemoteKeepAliveStream.this) {
                    closed = true;
                }
                outbox.fail(connection.isClosed() ? Errors.closed() : Errors.toCairn(failure));
            }

            @Override
            public void onCompleted() {
                synchronized (RemoteKeepAliveStream.this) {
                    closed = true;
                }
                outbox.complete();
            }
        });
        synchronized (this) {
            if (closed) {
                started.cancel("keep-alive stream closed", null);
                return;
            }
            call = started;
            requests = sender;
            for (long id : pending) {
                requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
            }
            pending.clear();
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super LeaseKeepAliveResponse> subscriber) {
        outbox.subscribe(subscriber);
    }

    @Override
    public synchronized void keepAlive(long id) {
        if (closed) {
            throw new IllegalStateException("the keep-alive stream is closed");
        }
        if (requests == null) {
            pending.add(id);
        } else {
            requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            // etcd ends the call when the client half-closes; cancelling also frees it if the server is gone.
            if (call != null) {
                call.cancel("keep-alive stream closed", null);
            }
        }
        outbox.complete();
    }
}
