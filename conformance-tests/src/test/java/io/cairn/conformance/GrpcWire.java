package io.cairn.conformance;

import io.cairn.etcd.protocol.etcdserverpb.AuthGrpc;
import io.cairn.etcd.protocol.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.v3electionpb.ElectionGrpc;
import io.cairn.etcd.protocol.v3lockpb.LockGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import com.google.protobuf.Message;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * etcd's v3 messages over gRPC, with grpc-java's generic calls on the generated method descriptors;
 * an auth token travels as etcd's clients send it, in the {@code token} metadata of every call.
 */
final class GrpcWire implements EtcdWire {

    private static final Object END = new Object();
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

    /** Null for a view made by {@link #withToken}, which closes nothing. */
    private final ManagedChannel owned;
    private final Channel channel;
    private final Map<String, MethodDescriptor<?, ?>> methods;

    GrpcWire(URI url) {
        owned = Grpc.newChannelBuilderForAddress(url.getHost(), url.getPort(), InsecureChannelCredentials.create()).build();
        channel = owned;
        methods = new HashMap<>();
        for (ServiceDescriptor service : List.of(KVGrpc.getServiceDescriptor(), LeaseGrpc.getServiceDescriptor(),
                ClusterGrpc.getServiceDescriptor(), MaintenanceGrpc.getServiceDescriptor(), AuthGrpc.getServiceDescriptor(),
                LockGrpc.getServiceDescriptor(), ElectionGrpc.getServiceDescriptor())) {
            service.getMethods().forEach(method -> methods.put(method.getFullMethodName(), method));
        }
    }

    private GrpcWire(Channel channel, Map<String, MethodDescriptor<?, ?>> methods) {
        this.owned = null;
        this.channel = channel;
        this.methods = methods;
    }

    @Override
    public EtcdWire withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(TOKEN, token);
        return new GrpcWire(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)), methods);
    }

    @SuppressWarnings("unchecked")
    private <R extends Message> MethodDescriptor<Message, R> method(String method) {
        MethodDescriptor<Message, R> descriptor = (MethodDescriptor<Message, R>) methods.get(method);
        if (descriptor == null) {
            throw new IllegalArgumentException("no gRPC method " + method);
        }
        return descriptor;
    }

    @Override
    public <R extends Message> R call(String method, Message request, R responseType) throws EtcdWireException {
        MethodDescriptor<Message, R> descriptor = method(method);
        try {
            return ClientCalls.blockingUnaryCall(channel, descriptor, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    request);
        } catch (StatusRuntimeException error) {
            throw new EtcdWireException(error.getStatus().getCode().name(), error.getStatus().getDescription());
        }
    }

    /** Puts what a call's observer receives into a queue: responses, then END or the failure. */
    private static <R> StreamObserver<R> queueing(BlockingQueue<Object> responses) {
        return new StreamObserver<R>() {
            @Override
            public void onNext(R response) {
                responses.add(response);
            }

            @Override
            public void onError(Throwable failure) {
                responses.add(failure);
            }

            @Override
            public void onCompleted() {
                responses.add(END);
            }
        };
    }

    /** The next response of {@code responses}, null after {@code timeout}; END and failures as the exception. */
    @SuppressWarnings("unchecked")
    private static <R> R next(BlockingQueue<Object> responses, Duration timeout) throws EtcdWireException {
        Object next;
        try {
            next = responses.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdWireException("CANCELLED", "interrupted");
        }
        if (next == END) {
            throw new EtcdWireException("END", "the stream ended");
        }
        if (next instanceof Throwable failure) {
            io.grpc.Status status = io.grpc.Status.fromThrowable(failure);
            throw new EtcdWireException(status.getCode().name(), status.getDescription());
        }
        return (R) next;
    }

    @Override
    public <R extends Message> ResponseStream<R> stream(String method, Message request, R responseType) {
        BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        io.grpc.ClientCall<Message, R> call = channel.newCall(method(method), CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(call, request, queueing(responses));
        return new ResponseStream<R>() {
            @Override
            public R poll(Duration timeout) throws EtcdWireException {
                return next(responses, timeout);
            }

            @Override
            public void close() {
                call.cancel("closed by the client", null);
            }
        };
    }

    @Override
    public WatchStream watch(WatchRequest create) {
        BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        StreamObserver<WatchRequest> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT), GrpcWire.<WatchResponse>queueing(responses));
        requests.onNext(create);
        return new WatchStream() {
            @Override
            public WatchResponse poll(Duration timeout) throws EtcdWireException {
                return next(responses, timeout);
            }

            @Override
            public boolean send(WatchRequest request) {
                requests.onNext(request);
                return true;
            }

            @Override
            public void close() {
                ((ClientCallStreamObserver<WatchRequest>) requests).cancel("closed by the client", null);
            }
        };
    }

    @Override
    public void close() {
        if (owned == null) {
            return;
        }
        owned.shutdownNow();
        try {
            owned.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
