package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A running client endpoint: a transport serving an {@link io.cairn.api.Cairn} on one or more
 * addresses, started by {@link TransportProvider#startClientEndpoint}. It is serving from the moment
 * it is returned until it is closed.
 *
 * <p>Threading: every method is safe from any thread. Ownership: the caller owns the endpoint (and
 * must close it); the endpoint never closes the {@code Cairn} it serves.
 */
@Experimental("new with issue 4")
public interface ClientEndpoint extends AutoCloseable {

    /** The grace period of {@link #close()}: etcd's clients reconnect well within it. */
    Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(5);

    /** The id of the transport serving this endpoint, such as {@code grpc}. */
    String transportId();

    /**
     * The URLs clients reach this endpoint at, one per configured listen URL, in the configured
     * order, with the port actually bound (a configured port 0 shows the port the system chose).
     * Unmodifiable; the same list after close.
     */
    List<URI> boundUrls();

    /** The socket addresses actually bound, in the order of {@link #boundUrls()}. Unmodifiable. */
    List<InetSocketAddress> boundAddresses();

    /**
     * Stops the endpoint gracefully: it stops accepting connections and calls at once, lets calls in
     * progress finish for up to {@code grace}, then cancels what remains (clients see UNAVAILABLE or
     * CANCELLED; open watch and keep-alive streams end). Blocks until the endpoint has stopped and
     * its addresses are released. Idempotent: a second call returns at once with the first's result.
     * If the calling thread is interrupted while waiting, remaining calls are cancelled at once and
     * the interrupt flag is kept.
     *
     * @return whether every call finished within {@code grace} (false: some were cancelled)
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    boolean close(Duration grace);

    /** {@link #close(Duration)} with {@link #DEFAULT_CLOSE_GRACE}. */
    @Override
    default void close() {
        close(DEFAULT_CLOSE_GRACE);
    }
}
