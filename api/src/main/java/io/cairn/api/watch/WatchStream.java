package io.cairn.api.watch;

import io.cairn.api.Stable;

import java.util.concurrent.Flow;

/**
 * One watch stream, as one call of etcd's bidirectional {@code Watch} RPC: many watchers share it,
 * created and canceled by the methods below, and every {@link WatchResponse} of all of them arrives
 * in order on the single subscriber.
 *
 * <p>Subscription: the stream accepts exactly one {@link Flow.Subscriber}; a second one receives
 * {@code onError(IllegalStateException)} and nothing else. Requests made before the subscriber
 * arrives or before it signals demand are kept, and their responses wait for demand: nothing is
 * dropped. An implementation that cannot hold more (a subscriber that stopped requesting) ends the
 * stream with {@code onError} rather than losing a message. Cancelling the subscription closes the
 * stream.
 *
 * <p>End of the stream: {@code onComplete} after {@link #close()}; {@code onError} with a
 * {@link io.cairn.api.CairnException} when the stream fails (for example
 * {@link io.cairn.api.ErrorCode#NO_LEADER}, {@link io.cairn.api.ErrorCode#WATCH_CANCELED}). All
 * watchers of the stream end with it.
 *
 * <p>Threading: the methods are safe to call from any thread, including from within the
 * subscriber's callbacks; they do not block. Subscriber signals are serial (never concurrent), as
 * {@link Flow} requires.
 */
@Stable(since = "0.1")
public interface WatchStream extends Flow.Publisher<WatchResponse>, AutoCloseable {

    /**
     * Creates a watcher on this stream. The answer is a response with {@code created} set (and
     * {@code canceled} too if the watcher could not be created, for example because its start
     * revision is compacted or its requested id is taken).
     *
     * @throws NullPointerException if {@code request} is null
     * @throws IllegalStateException if the stream is closed
     */
    void create(WatchCreateRequest request);

    /**
     * Cancels the watcher {@code watchId}, as etcd's {@code WatchCancelRequest}. The answer is a
     * response with {@code canceled} set; an unknown id gets no answer, as in etcd.
     *
     * @throws IllegalStateException if the stream is closed
     */
    void cancel(long watchId);

    /**
     * Asks for a progress notification for the whole stream, as etcd's {@code WatchProgressRequest}:
     * a response with watch id -1 and no events, sent once every watcher of the stream has caught up
     * with the revision in its header.
     *
     * @throws IllegalStateException if the stream is closed
     */
    void requestProgress();

    /** Cancels every watcher and completes the stream; does nothing if already closed. */
    @Override
    void close();
}
