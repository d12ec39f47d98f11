package io.cairn.spi.transport;

import io.cairn.api.Cairn;
import io.cairn.api.Experimental;

/**
 * ServiceLoader provider interface for transports: wire protocols that serve an {@link Cairn} to
 * clients. A plugin module declares {@code provides io.cairn.spi.transport.TransportProvider with ...}
 * and exports nothing; the server picks providers by {@link #id()} (configuration
 * {@code --transport grpc,http}) through {@link TransportProviders#byId(String)}.
 *
 * <h2>The two halves of a transport</h2>
 * A transport carries client traffic, started with {@link #startClientEndpoint}, and peer traffic
 * between members (Raft frames and snapshot streams), started with {@link #startPeerEndpoint}. A
 * provider may carry only the client half: {@link #carriesPeerTraffic()} says whether it has the
 * other.
 *
 * <p>Threading: providers are stateless factories, safe to call from any thread; each call starts
 * an independent endpoint.
 */
@Experimental("new with issue 4; the peer half with issue 6")
public interface TransportProvider {

    /**
     * The id this provider is selected by, such as {@code grpc} or {@code http}: lower-case letters,
     * digits and '-', stable across releases, unique on a module path. Never null.
     */
    String id();

    /** One line for {@code cairn plugins} and error messages: protocol and library. Never null. */
    default String description() {
        return id();
    }

    /**
     * Starts serving {@code cairn} to clients on every address of {@code config}, and returns once
     * every address is bound and accepting connections.
     *
     * <p>Ownership: the caller keeps {@code cairn}; the endpoint only calls it, from transport
     * threads, concurrently, and never closes it. The returned endpoint is owned by the caller, who
     * must {@link ClientEndpoint#close()} it before closing {@code cairn}. Each request is handed to
     * {@code cairn} as an immutable record; the endpoint keeps no reference to records after the
     * call's answer is sent.
     *
     * <p>Blocking: this method blocks the calling thread while it binds (milliseconds).
     *
     * @throws TransportException naming the address, if an address cannot be bound (in use, not
     *     local, no permission), or naming the file, if a TLS file cannot be read or holds no usable
     *     certificate or key; nothing stays bound in that case
     * @throws IllegalArgumentException if the provider cannot honour {@code config} (for example a
     *     TLS setting it does not support), naming the setting
     * @throws NullPointerException if an argument is null
     */
    ClientEndpoint startClientEndpoint(Cairn cairn, ClientEndpointConfig config);

    /**
     * Starts serving clients as {@link #startClientEndpoint(Cairn, ClientEndpointConfig)} does, each
     * call on the view of {@code identities} its credentials name (etcd's auth): a token, else a
     * verified client certificate's common name when {@code config} asks for client certificates,
     * else {@link ClientIdentities#anonymous()}. A call with a token the server refuses fails with
     * etcd's "invalid auth token".
     *
     * <p>The default, for a transport that reads no credentials, serves every call on
     * {@link ClientIdentities#anonymous()} (which the server refuses while auth is enabled).
     * Ownership, blocking and failures as {@link #startClientEndpoint(Cairn, ClientEndpointConfig)}.
     */
    default ClientEndpoint startClientEndpoint(ClientIdentities identities, ClientEndpointConfig config) {
        return startClientEndpoint(identities.anonymous(), config);
    }

    /**
     * Starts etcd's {@code --listen-metrics-urls}: an endpoint serving only the member's monitoring
     * routes, {@code /metrics} and {@code /health} (with etcd's {@code ?exclude=} and
     * {@code ?serializable=}), on every address of {@code config}, so that a monitoring port can be
     * opened where the client API must not be. {@code https} URLs serve TLS with {@code config.tls()}
     * as given (etcd serves them with the client TLS settings); {@code http} URLs serve plain text
     * whatever {@code config.tls()} says. Only {@code listenUrls} and {@code tls} of {@code config} count.
     *
     * <p>The default, for a transport without these routes, refuses. Ownership, blocking and failures
     * as {@link #startClientEndpoint(Cairn, ClientEndpointConfig)}.
     *
     * @throws UnsupportedOperationException if this transport serves no monitoring routes (the default)
     */
    default ClientEndpoint startMetricsEndpoint(ClientIdentities identities, ClientEndpointConfig config) {
        throw new UnsupportedOperationException("transport " + id() + " serves no metrics endpoint");
    }

    /** Whether {@link #startMetricsEndpoint} works; the default is false. */
    default boolean servesMetrics() {
        return false;
    }

    /**
     * Whether this transport carries peer traffic ({@link #startPeerEndpoint} works). The default,
     * for a client-only transport, is false.
     */
    default boolean carriesPeerTraffic() {
        return false;
    }

    /**
     * Starts this member's peer endpoint on every address of {@code config}, delivering what other
     * members send to {@code handler}, and returns once every address is bound.
     *
     * <p>Ownership: the caller keeps {@code handler} and owns the returned endpoint (it must close it
     * before the member shuts down). The endpoint calls {@code handler} from its own threads, as
     * {@link PeerHandler} describes, until it is closed.
     *
     * @throws TransportException naming the address, if an address cannot be bound, or naming the
     *     file, if a TLS file cannot be read or holds no usable certificate or key; nothing stays
     *     bound in that case
     * @throws UnsupportedOperationException if {@link #carriesPeerTraffic()} is false (the default)
     * @throws NullPointerException if an argument is null
     */
    default PeerEndpoint startPeerEndpoint(PeerEndpointConfig config, PeerHandler handler) {
        throw new UnsupportedOperationException("transport " + id() + " carries no peer traffic");
    }
}
