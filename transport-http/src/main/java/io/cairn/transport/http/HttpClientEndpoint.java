package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportException;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

/**
 * A running HTTP client endpoint: one Undertow server per listen URL (so a bind failure names its
 * URL and each URL reports its own port), all sharing one {@link Router} and so one set of metrics.
 *
 * <p>Threads: requests are read and answered on Undertow's I/O threads without blocking them (the
 * {@link Cairn} calls are asynchronous); v2 keys requests, which block while the store answers, run
 * on the bounded pool of {@link V2Admission}; long-lived responses (v3 watch streams, v2 long-poll
 * watches) write from {@link #streamThreads}. The endpoint owns both and stops them on close.
 */
final class HttpClientEndpoint implements ClientEndpoint {

    private final List<Undertow> servers;
    private final GracefulShutdownHandler graceful;
    private final Router router;
    private final ExecutorService streamThreads;
    private final V2Admission v2Admission;
    private final List<URI> boundUrls;
    private final List<InetSocketAddress> boundAddresses;

    // Guarded by this.
    private Boolean closedCleanly;

    private HttpClientEndpoint(List<Undertow> servers, GracefulShutdownHandler graceful, Router router,
            ExecutorService streamThreads, V2Admission v2Admission, List<URI> boundUrls,
            List<InetSocketAddress> boundAddresses) {
        this.v2Admission = v2Admission;
        this.servers = List.copyOf(servers);
        this.graceful = graceful;
        this.router = router;
        this.streamThreads = streamThreads;
        this.boundUrls = List.copyOf(boundUrls);
        this.boundAddresses = List.copyOf(boundAddresses);
    }

    static HttpClientEndpoint start(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        return start(identities, config, V2Admission.withDefaults());
    }

    /** Starts with {@code v2Admission} bounding the v2 requests (owned by the endpoint from here on). */
    static HttpClientEndpoint start(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config,
            V2Admission v2Admission) {
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService streamThreads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "cairn-http-stream-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        List<URI> urls = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        Router router = new Router(identities, config.maxRequestBytes(), streamThreads, v2Admission,
                () -> List.copyOf(urls));
        GracefulShutdownHandler graceful = new GracefulShutdownHandler(router);
        // Base64 makes the JSON of a request about 4/3 of its encoded size; the gateway checks the
        // decoded request against maxRequestBytes, as etcd does, so the entity may be larger.
        long maxEntity = (long) config.maxRequestBytes() * 2 + 512 * 1024;
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
            streamThreads.shutdownNow();
            v2Admission.close();
            throw failure;
        }
        return new HttpClientEndpoint(started, graceful, router, streamThreads, v2Admission, urls, addresses);
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
        router.closeStreams();
        boolean clean;
        try {
            clean = graceful.awaitShutdown(Math.max(1, grace.toMillis()));
        } catch (InterruptedException interrupted) {
            clean = false;
            Thread.currentThread().interrupt();
        }
        servers.forEach(Undertow::stop);
        streamThreads.shutdownNow();
        v2Admission.close();
        try {
            streamThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        router.close();
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
