package io.cairn.transport.http;

import io.cairn.api.Cairn;
import io.cairn.spi.transport.ClientEndpoint;
import io.cairn.spi.transport.ClientEndpointConfig;
import io.cairn.spi.transport.PeerEndpoint;
import io.cairn.spi.transport.PeerEndpointConfig;
import io.cairn.spi.transport.PeerHandler;
import io.cairn.spi.transport.TransportProvider;

import java.util.Objects;

/**
 * The {@code http} transport: etcd's HTTP APIs on Undertow — the v3 JSON gateway, the v2 keys API,
 * {@code /health}, {@code /version}, {@code /metrics}, over plain text or TLS; and the peer traffic
 * between members over HTTP. Found through ServiceLoader; not meant to be named in code.
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
        return "http: etcd v3 JSON gateway, v2 keys API, /health, /version, /metrics, peer traffic on Undertow "
                + libraryVersion();
    }

    /** The {@code https} listen URLs serve TLS with {@code config.tls()}; see {@link TransportProvider}. */
    @Override
    public ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config) {
        Objects.requireNonNull(cairn, "cairn");
        Objects.requireNonNull(config, "config");
        return HttpClientEndpoint.start(io.cairn.spi.transport.ClientIdentities.unauthenticated(cairn), config);
    }

    /**
     * The gateway's calls act as the user whose token the {@code Authorization} header carries (etcd's
     * gateway passes it on as the {@code authorization} metadata); the v2 API and the status routes
     * act as nobody, so they are refused while auth is enabled. The {@code https} listen URLs serve
     * TLS with {@code config.tls()}.
     */
    @Override
    public ClientEndpoint startClientEndpoint(io.cairn.spi.transport.ClientIdentities identities, ClientEndpointConfig config) {
        Objects.requireNonNull(identities, "identities");
        Objects.requireNonNull(config, "config");
        return HttpClientEndpoint.start(identities, config);
    }

    /** {@code /metrics}, {@code /health} (also as {@code /livez} and {@code /readyz}) and nothing else. */
    @Override
    public ClientEndpoint startMetricsEndpoint(io.cairn.spi.transport.ClientIdentities identities,
            ClientEndpointConfig config) {
        Objects.requireNonNull(identities, "identities");
        Objects.requireNonNull(config, "config");
        return HttpClientEndpoint.startMetrics(identities, config);
    }

    @Override
    public boolean servesMetrics() {
        return true;
    }

    /** Raft frames in batched POSTs and snapshots in chunked POSTs (PEER.md in this module). */
    @Override
    public boolean carriesPeerTraffic() {
        return true;
    }

    @Override
    public PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        return HttpPeerEndpoint.start(config, handler);
    }

    private static String libraryVersion() {
        String version = io.undertow.Undertow.class.getPackage().getImplementationVersion();
        return version == null ? "(version unknown)" : version;
    }
}
