package io.cairn.benchmark.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC connections of one run: {@code conns} channels, each one HTTP/2 connection, spread over
 * the endpoints; client {@code i} uses channel {@code i % conns}, as etcd's benchmark tool does.
 * Responses are handled on Netty's event loops (direct executor), so a thousand clients need no
 * thousand threads. Closing shuts every channel down and waits for it.
 */
final class Connections implements AutoCloseable {

    private final List<ManagedChannel> channels = new ArrayList<>();

    Connections(List<String> endpoints, int conns) {
        for (int i = 0; i < conns; i++) {
            String endpoint = endpoints.get(i % endpoints.size());
            int colon = endpoint.lastIndexOf(':');
            if (colon < 0) throw new LoadOptions.UsageException("endpoint '" + endpoint + "' is not host:port");
            channels.add(NettyChannelBuilder.forAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)))
                    .usePlaintext()
                    .directExecutor()
                    .maxInboundMessageSize(64 << 20)
                    .build());
        }
    }

    ManagedChannel forClient(int client) {
        return channels.get(client % channels.size());
    }

    int size() {
        return channels.size();
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) channel.shutdownNow();
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
