package io.cairn.transport.grpc;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportException;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running gRPC client endpoint: one grpc-java server per listen URL (so a bind failure names its
 * URL, and each URL reports its own port), all serving the same service instances, which share
 * Netty's event loops and one fixed pool of handler threads. The {@code https} URLs share one TLS
 * context (see {@link TlsContexts}), whose certificates are re-read when their files change.
 */
final class GrpcClientEndpoint implements ClientEndpoint {

    /**
     * etcd's gRPC server reads messages of up to {@code --max-request-bytes} plus this much
     * ({@code grpcOverheadBytes} in etcd's {@code v3rpc/grpc.go}), so that a request a little over
     * the limit reaches etcd's own check and gets "etcdserver: request is too large"; only a much
     * larger one is cut off by gRPC with RESOURCE_EXHAUSTED. The same here.
     */
    static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

    /**
     * Threads that run the service handlers. The handlers only decode, call the {@link Cairn} (whose
     * calls return at once with a future) and encode, so a few threads suffice; gRPC's default, a
     * cached pool, grew to about 30 threads under 1000 concurrent clients, each with its stack and
     * malloc arena in the member's RSS (benchmark/results/profile-put-1000.md).
     */
    static final int HANDLER_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final List<Server> servers;
    private final ExecutorService handlers;
    private final List<URI> boundUrls;
    private final List<InetSocketAddress> boundAddresses;

    // Guarded by this.
    private Boolean closedCleanly;

    private GrpcClientEndpoint(List<Server> servers, ExecutorService handlers, List<URI> boundUrls,
            List<InetSocketAddress> boundAddresses) {
        this.servers = List.copyOf(servers);
        this.handlers = handlers;
        this.boundUrls = List.copyOf(boundUrls);
        this.boundAddresses = List.copyOf(boundAddresses);
    }

    static GrpcClientEndpoint start(Cairn cairn, ClientEndpointConfig config) {
        return start(io.cairn.spi.transport.ClientIdentities.unauthenticated(cairn), config);
    }

    /** Serves each call on the view its credentials name (see {@link CallerIdentity}). */
    static GrpcClientEndpoint start(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        CallerIdentity callers = new CallerIdentity(identities,
                config.tls().map(io.cairn.spi.transport.TlsConfig::clientCertAuth).orElse(false));
        Cairn cairn = callers.cairn();
        List<ServerServiceDefinition> services = List.of(
                new KvService(cairn, config.maxRequestBytes()).bindService(),
                new WatchService(cairn).bindService(),
                new LeaseService(cairn).bindService(),
                new ClusterService(cairn).bindService(),
                new MaintenanceService(cairn).bindService(),
                new AuthService(cairn).bindService(),
                new LockService(cairn).bindService(),
                new ElectionService(cairn, config.maxRequestBytes()).bindService());
        int maxInboundBytes = (int) Math.min(Integer.MAX_VALUE, (long) config.maxRequestBytes() + GRPC_OVERHEAD_BYTES);
        ServerCredentials tls = config.tls().map(settings -> NettySslContextServerCredentials.create(
                TlsContexts.server(settings))).orElse(null);

        AtomicInteger threadCount = new AtomicInteger();
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, task -> {
            Thread thread = new Thread(task, "cairn-grpc-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        List<Server> started = new ArrayList<>();
        List<URI> urls = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (URI url : config.listenUrls()) {
                InetSocketAddress address = resolve(url);
                NettyServerBuilder builder = NettyServerBuilder.forAddress(address, credentials(url, tls))
                        .executor(handlers)
                        .maxInboundMessageSize(maxInboundBytes)
                        .maxConcurrentCallsPerConnection(config.maxConcurrentStreams())
                        // etcd's server defaults (--grpc-keepalive-min-time 5s, -interval 2h, -timeout 20s):
                        // clients such as jetcd ping every 30 s and must not be told "too many pings".
                        .permitKeepAliveTime(5, TimeUnit.SECONDS)
                        .keepAliveTime(2, TimeUnit.HOURS)
                        .keepAliveTimeout(20, TimeUnit.SECONDS);
                services.forEach(service -> builder.addService(io.grpc.ServerInterceptors.intercept(service, callers)));
                Server server = builder.build();
                try {
                    server.start();
                } catch (IOException | RuntimeException failure) {
                    throw new TransportException(url.toString(), "cannot listen on " + address + ": "
                            + rootMessage(failure), failure);
                }
                started.add(server);
                InetSocketAddress bound = boundAddress(server, address);
                addresses.add(bound);
                urls.add(withPort(url, bound.getPort()));
            }
        } catch (RuntimeException failure) {
            started.forEach(Server::shutdownNow);
            handlers.shutdownNow();
            throw failure;
        }
        return new GrpcClientEndpoint(started, handlers, urls, addresses);
    }

    @Override
    public String transportId() {
        return GrpcTransportProvider.ID;
    }

    @Override
    public List<URI> boundUrls() {
        return boundUrls;
    }

    @Override
    public List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    @Override
    public synchronized boolean close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        if (closedCleanly != null) {
            return closedCleanly;
        }
        servers.forEach(Server::shutdown);
        long deadline = System.nanoTime() + grace.toNanos();
        boolean clean = true;
        try {
            for (Server server : servers) {
                long left = Math.max(0, deadline - System.nanoTime());
                clean &= server.awaitTermination(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException interrupted) {
            clean = false;
            Thread.currentThread().interrupt();
        }
        if (!clean) {
            servers.forEach(Server::shutdownNow);
            // Cancelled calls end promptly; wait (uninterruptibly, briefly) so the ports are free on return.
            boolean interrupted = Thread.interrupted();
            for (Server server : servers) {
                try {
                    server.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException again) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        // the servers have ended their calls; a task still queued has nobody to answer
        handlers.shutdownNow();
        closedCleanly = clean;
        return clean;
    }

    @Override
    public String toString() {
        return "grpc client endpoint " + boundUrls;
    }

    /** TLS for an {@code https} URL (the config checked that TLS is set), plain text for {@code http}, as etcd. */
    static ServerCredentials credentials(URI url, ServerCredentials tls) {
        return "https".equals(url.getScheme()) ? Objects.requireNonNull(tls, "tls") : InsecureServerCredentials.create();
    }

    static InetSocketAddress resolve(URI url) {
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // IPv6 literal
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), url.getPort());
        } catch (UnknownHostException unknown) {
            throw new TransportException(url.toString(), "cannot resolve host " + host, unknown);
        }
    }

    static InetSocketAddress boundAddress(Server server, InetSocketAddress requested) {
        for (SocketAddress socket : server.getListenSockets()) {
            if (socket instanceof InetSocketAddress inet) {
                return inet;
            }
        }
        return new InetSocketAddress(requested.getAddress(), server.getPort());
    }

    static URI withPort(URI url, int port) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), port, null, null, null);
        } catch (URISyntaxException impossible) {
            throw new IllegalStateException("cannot rebuild " + url + " with port " + port, impossible);
        }
    }

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? String.valueOf(failure.getMessage()) : failure.getMessage() + " (" + root + ")";
    }
}
