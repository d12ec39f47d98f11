package io.cairn.conformance;

import io.cairn.etcd.protocol.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.protocol.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
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

/** etcd's v3 messages over gRPC, with grpc-java's generic calls on the generated method descriptors. */
final class GrpcWire implements EtcdWire {

    private static final Object END = new Object();

    private final ManagedChannel channel;
    private final Map<String, MethodDescriptor<?, ?>> methods = new HashMap<>();

    GrpcWire(URI url) {
        channel = Grpc.newChannelBuilderForAddress(url.getHost(), url.getPort(), InsecureChannelCredentials.create()).build();
        for (ServiceDescriptor service : List.of(KVGrpc.getServiceDescriptor(), LeaseGrpc.getServiceDescriptor(),
                ClusterGrpc.getServiceDescriptor(), MaintenanceGrpc.getServiceDescriptor())) {
            service.getMethods().forEach(method -> methods.put(method.getFullMethodName(), method));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R extends Message> R call(String method, Message request, R responseType) throws EtcdWireException {
        MethodDescriptor<Message, R> descriptor = (MethodDescriptor<Message, R>) methods.get(method);
        if (descriptor == null) {
            throw new IllegalArgumentException("no gRPC method " + method);
        }
        try {
            return ClientCalls.blockingUnaryCall(channel, descriptor, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    request);
        } catch (StatusRuntimeException error) {
            throw new EtcdWireException(error.getStatus().getCode().name(), error.getStatus().getDescription());
        }
    }

    @Override
    public WatchStream watch(WatchRequest create) {
        BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        StreamObserver<WatchRequest> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT), new StreamObserver<WatchResponse>() {
                    @Override
                    public void onNext(WatchResponse response) {
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
                });
        requests.onNext(create);
        return new WatchStream() {
            @Override
            public WatchResponse poll(Duration timeout) throws EtcdWireException {
                Object next;
                try {
                    next = responses.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EtcdWireException("CANCELLED", "interrupted");
                }
                if (next == null || next instanceof WatchResponse) {
                    return (WatchResponse) next;
                }
                if (next == END) {
                    throw new EtcdWireException("END", "the watch stream ended");
                }
                io.grpc.Status status = io.grpc.Status.fromThrowable((Throwable) next);
                throw new EtcdWireException(status.getCode().name(), status.getDescription());
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
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
