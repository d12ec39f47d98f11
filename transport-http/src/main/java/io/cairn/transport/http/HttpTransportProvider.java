package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.TransportProvider;

import java.util.Objects;

/**
 * The {@code http} transport: etcd's HTTP APIs on Undertow — the v3 JSON gateway, the v2 keys API,
 * {@code /health}, {@code /version}, {@code /metrics}. Found through ServiceLoader; not meant to be
 * named in code. Client traffic only: it carries no peer traffic (yet).
 */
public final class HttpTransportProvider implements TransportProvider {

    /** The id this transport is selected by. */
    public static final String ID = "http";

    /** Public for ServiceLoader. */
    public HttpTransportProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "http: etcd v3 JSON gateway, v2 keys API, /health, /version, /metrics on Undertow "
                + libraryVersion();
    }

    /**
     * @throws IllegalArgumentException if {@code config} asks for TLS, which this transport does not
     *     support yet
     */
    @Override
    public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
        Objects.requireNonNull(cairn, "cairn");
        Objects.requireNonNull(config, "config");
        if (config.tls().isPresent()) {
            throw new IllegalArgumentException("transport http does not support TLS yet; remove the tls setting");
        }
        return HttpClientEndpoint.start(io.cairn.spi.transport.ClientIdentities.unauthenticated(cairn), config);
    }

    /**
     * The gateway's calls act as the user whose token the {@code Authorization} header carries (etcd's
     * gateway passes it on as the {@code authorization} metadata); the v2 API and the status routes
     * act as nobody, so they are refused while auth is enabled.
     */
    @Override
    public ClientEndpoint startClientEndpoint(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        Objects.requireNonNull(identities, "identities");
        Objects.requireNonNull(config, "config");
        if (config.tls().isPresent()) {
            throw new IllegalArgumentException("transport http does not support TLS yet; remove the tls setting");
        }
        return HttpClientEndpoint.start(identities, config);
    }

    private static String libraryVersion() {
        String version = io.undertow.Undertow.class.getPackage().getImplementationVersion();
        return version == null ? "(version unknown)" : version;
    }
}
