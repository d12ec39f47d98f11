package io.cairn.api.lease;

import io.cairn.api.Stable;

import java.util.concurrent.Flow;

/**
 * One keep-alive stream, as one call of etcd's bidirectional {@code LeaseKeepAlive} RPC: each
 * {@link #keepAlive(long)} renews a lease once and is answered by one
 * {@link LeaseKeepAliveResponse}, in order, on the single subscriber.
 *
 * <p>The subscription rules are those of {@link io.cairn.api.watch.WatchStream}: exactly one
 * subscriber (a second gets {@code onError(IllegalStateException)}); requests before demand are
 * kept and their answers wait, nothing is dropped; cancelling the subscription closes the stream;
 * {@code onComplete} after {@link #close()}, {@code onError} with a
 * {@link io.cairn.api.CairnException} when the stream fails. A lease that does not exist is not a
 * failure: its answer has {@code ttl <= 0}.
 *
 * <p>The stream does not renew anything by itself: the caller sends a keep-alive about every third
 * of the TTL, as etcd's client does. Methods are safe to call from any thread and do not block.
 */
@Stable(since = "0.1")
public interface LeaseKeepAliveStream extends Flow.Publisher<LeaseKeepAliveResponse>, AutoCloseable {

    /**
     * Renews lease {@code id} once, as etcd's {@code LeaseKeepAliveRequest}.
     *
     * @throws IllegalStateException if the stream is closed
     */
    void keepAlive(long id);

    /** Completes the stream; does nothing if already closed. Leases stay until their TTL runs out. */
    @Override
    void close();
}
