package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportException;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * A running HTTP client endpoint: one Undertow server per listen URL (so a bind failure names its
 * URL and each URL reports its own port), all sharing one {@link Router} and so one set of metrics.
 *
 * <p>Threads: requests are read and answered on Undertow's I/O threads without blocking them (the
 * {@link Cairn} calls are asynchronous); v2 keys requests, which block while the store answers, run
 * on the bounded pool of {@link V2Admission}; long-lived responses (v3 watch, observe and snapshot
 * streams, v2 long-poll watches) write from the stream threads of {@link StreamAdmission}, which bounds
 * how many are open. The endpoint owns both and stops them on close.
 */
final class HttpClientEndpoint implements ClientEndpoint {

    /** What one endpoint serves: its routes, and what they hold open until the endpoint closes. */
    interface Routes extends HttpHandler {
        /** Ends every open stream and long poll: their responses finish cleanly. */
        void closeStreams();

        /** Releases what the routes hold (their metrics registry); after the servers stopped. */
        void close();
    }

    private final List<Undertow> servers;
    private final GracefulShutdownHandler graceful;
    private final Routes routes;
    private final Runnable releaseThreads;
    private final List<URI> boundUrls;
    private final List<InetSocketAddress> boundAddresses;

    // Guarded by this.
    private Boolean closedCleanly;

    private HttpClientEndpoint(List<Undertow> servers, GracefulShutdownHandler graceful, Routes routes,
            Runnable releaseThreads, List<URI> boundUrls, List<InetSocketAddress> boundAddresses) {
        this.servers = List.copyOf(servers);
        this.graceful = graceful;
        this.routes = routes;
        this.releaseThreads = releaseThreads;
        this.boundUrls = List.copyOf(boundUrls);
        this.boundAddresses = List.copyOf(boundAddresses);
    }

    static HttpClientEndpoint start(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        return start(identities, config, V2Admission.withDefaults(), StreamAdmission.withDefaults());
    }

    /**
     * Starts with {@code v2Admission} bounding the v2 requests and {@code streams} the open streams and long
     * polls (both owned by the endpoint from here on).
     */
    static HttpClientEndpoint start(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config,
            V2Admission v2Admission, StreamAdmission streams) {
        List<URI> urls = new ArrayList<>();
        Router router = new Router(identities, config.maxRequestBytes(), streams, v2Admission,
                () -> List.copyOf(urls));
        // Base64 makes the JSON of a request about 4/3 of its encoded size; the gateway checks the
        // decoded request against maxRequestBytes, as etcd does, so the entity may be larger.
        long maxEntity = (long) config.maxRequestBytes() * 2 + 512 * 1024;
        return listen(config, router, maxEntity, urls, () -> {
            v2Admission.close();
            streams.close();
        });
    }

    /**
     * etcd's {@code --listen-metrics-urls}: only {@link MetricsRoutes} on the URLs of {@code config},
     * TLS for the {@code https} ones with {@code config.tls()} as given (etcd serves them with the
     * client TLS settings, client certificates included).
     */
    static HttpClientEndpoint startMetrics(io.cairn.spi.transport.ClientIdentities identities,
            ClientEndpointConfig config) {
        // the metrics routes read no request bodies
        return listen(config, new MetricsRoutes(identities), 64 * 1024, new ArrayList<>(), () -> { });
    }

    /**
     * One Undertow server per URL of {@code config}, all serving {@code routes}; adds each bound URL to
     * {@code urls} as it goes (the routes may read them). On failure, stops what started, runs
     * {@code releaseThreads}, closes the routes and rethrows.
     */
    private static HttpClientEndpoint listen(ClientEndpointConfig config, Routes routes, long maxEntity,
            List<URI> urls, Runnable releaseThreads) {
        GracefulShutdownHandler graceful = new GracefulShutdownHandler(routes);
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<Undertow> started = new ArrayList<>();
        try {
            // the TLS files first: a bad one fails the start before anything is bound
            SSLContext tlsContext = config.tls().map(TlsContexts::server).orElse(null);
            for (URI url : config.listenUrls()) {
                InetSocketAddress address = resolve(url);
                Undertow.Builder builder = Undertow.builder()
                        .setIoThreads(2)
                        .setWorkerThreads(8)
                        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntity)
                        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                        .setHandler(graceful);
                boolean https = "https".equals(url.getScheme());
                Listeners.add(builder, address, https ? tlsContext : null, https ? config.tls().orElseThrow() : null);
                Undertow server = builder.build();
                try {
                    server.start();
                } catch (RuntimeException failure) {
                    throw new TransportException(url.toString(), "cannot listen on " + address + ": "
                            + rootMessage(failure), failure);
                }
                started.add(server);
                InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
                addresses.add(bound);
                urls.add(withPort(url, bound.getPort()));
            }
        } catch (RuntimeException failure) {
            started.forEach(Undertow::stop);
            releaseThreads.run();
            routes.close();
            throw failure;
        }
        return new HttpClientEndpoint(started, graceful, routes, releaseThreads, urls, addresses);
    }

    @Override
    public String transportId() {
        return HttpTransportProvider.ID;
    }

    @Override
    public List<URI> boundUrls() {
        return boundUrls;
    }

    @Override
    public List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    /**
     * Refuses new requests (503), ends the open watch streams and long polls at once (their
     * responses end cleanly: a client sees the stream finish), waits up to {@code grace} for
     * unary calls in progress, then stops the servers, which cuts what remains.
     */
    @Override
    public synchronized boolean close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        if (closedCleanly != null) {
            return closedCleanly;
        }
        graceful.shutdown();
        routes.closeStreams();
        boolean clean;
        try {
            clean = graceful.awaitShutdown(Math.max(1, grace.toMillis()));
        } catch (InterruptedException interrupted) {
            clean = false;
            Thread.currentThread().interrupt();
        }
        servers.forEach(Undertow::stop);
        releaseThreads.run();
        routes.close();
        closedCleanly = clean;
        return clean;
    }

    @Override
    public String toString() {
        return "http client endpoint " + boundUrls;
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
