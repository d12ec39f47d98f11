package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client endpoint listens, as etcd's {@code --listen-client-urls},
 * {@code --max-request-bytes} and {@code --max-concurrent-streams}. Build with {@link #of} and the
 * {@code with...} methods:
 * {@snippet :
 * ClientEndpointConfig config = ClientEndpointConfig.of(URI.create("http://127.0.0.1:0"))
 *         .withMaxRequestBytes(4 << 20);
 * ClientEndpointConfig secure = ClientEndpointConfig.of(
 *         TlsConfig.of(Path.of("server.crt"), Path.of("server.key")).withClientCertAuth(Path.of("ca.crt")),
 *         URI.create("https://127.0.0.1:2379"));
 * }
 * The maximum number of operations in a transaction is not here: the server enforces it, whatever
 * the transport.
 *
 * @param listenUrls where to listen, each {@code http(s)://host:port} with an IP literal or a host
 *     name and an explicit port (0: the system chooses; {@link ClientEndpoint#boundUrls()} tells
 *     which). {@code https} needs {@code tls}. Non-empty, no duplicates; unmodifiable
 * @param maxRequestBytes the largest request the endpoint accepts, in bytes of its encoded form;
 *     larger ones fail with etcd's {@link io.cairn.api.ErrorCode#REQUEST_TOO_LARGE}. A transport
 *     may add its framing overhead on top for the size it reads off the wire (etcd's gRPC server
 *     reads up to this plus 512 KiB and rejects between the two with that error)
 * @param maxConcurrentStreams the most concurrent calls (streams) one client connection may hold
 *     open; etcd's default is unlimited ({@link Integer#MAX_VALUE} here)
 * @param tls TLS for the {@code https} listen URLs (etcd's {@code --cert-file}, {@code --key-file},
 *     {@code --trusted-ca-file}, {@code --client-cert-auth}, {@code --tls-min-version}); empty for
 *     plain text only. {@code http} URLs serve plain text either way
 */
@Experimental("new with issue 4; TLS with issue 8")
public record ClientEndpointConfig(List<URI> listenUrls, int maxRequestBytes, int maxConcurrentStreams,
        Optional<TlsConfig> tls) {

    /** etcd's default {@code --max-request-bytes}: 1.5 MiB. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;

    /** etcd's default {@code --max-concurrent-streams}: no limit. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = Integer.MAX_VALUE;

    /**
     * Copies {@code listenUrls}.
     *
     * @throws NullPointerException if a component or a URL is null
     * @throws IllegalArgumentException naming the URL, if a URL is not {@code http(s)://host:port}
     *     with a port in {@code [0, 65535]} and no path, query or user info, if URLs repeat, if
     *     there are none, if {@code https} is used without {@code tls}, or if a limit is not positive
     */
    public ClientEndpointConfig {
        Objects.requireNonNull(listenUrls, "listenUrls");
        Objects.requireNonNull(tls, "tls");
        List<URI> checked = new ArrayList<>(listenUrls.size());
        for (URI url : listenUrls) {
            Objects.requireNonNull(url, "listenUrls contains null");
            ListenUrls.check("listen", url, tls.isPresent());
            if (checked.contains(url)) {
                throw new IllegalArgumentException("listen URL " + url + " is given twice");
            }
            checked.add(url);
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("at least one listen URL is needed");
        }
        listenUrls = List.copyOf(checked);
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
        }
        if (maxConcurrentStreams <= 0) {
            throw new IllegalArgumentException("maxConcurrentStreams must be positive, got " + maxConcurrentStreams);
        }
    }

    /** Listening on {@code listenUrls} with etcd's defaults and no TLS. */
    public static ClientEndpointConfig of(URI... listenUrls) {
        Objects.requireNonNull(listenUrls, "listenUrls");
        return new ClientEndpointConfig(List.of(listenUrls), DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_CONCURRENT_STREAMS,
                Optional.empty());
    }

    /**
     * Listening on {@code listenUrls} with etcd's defaults and TLS {@code tls} for the {@code https}
     * ones (which {@link #of(URI...)} refuses, having no TLS).
     */
    public static ClientEndpointConfig of(TlsConfig tls, URI... listenUrls) {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(listenUrls, "listenUrls");
        return new ClientEndpointConfig(List.of(listenUrls), DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_CONCURRENT_STREAMS,
                Optional.of(tls));
    }

    /** This configuration accepting requests of up to {@code maxRequestBytes}. */
    public ClientEndpointConfig withMaxRequestBytes(int maxRequestBytes) {
        return new ClientEndpointConfig(listenUrls, maxRequestBytes, maxConcurrentStreams, tls);
    }

    /** This configuration allowing {@code maxConcurrentStreams} calls per connection. */
    public ClientEndpointConfig withMaxConcurrentStreams(int maxConcurrentStreams) {
        return new ClientEndpointConfig(listenUrls, maxRequestBytes, maxConcurrentStreams, tls);
    }

    /** This configuration with TLS {@code tls} (empty: plain text). */
    public ClientEndpointConfig withTls(Optional<TlsConfig> tls) {
        return new ClientEndpointConfig(listenUrls, maxRequestBytes, maxConcurrentStreams, tls);
    }
}
