package io.cairn.api.watch;

import io.cairn.api.Stable;

import java.util.Objects;
import java.util.concurrent.Flow;

/** The watch service, as etcd's {@code Watch} gRPC service. See {@link WatchStream} for the stream contract. */
@Stable(since = "0.1")
public interface Watch {

    /**
     * Opens a new watch stream with no watchers. The caller owns it and must {@link WatchStream#close()}
     * it (or cancel its subscription). Safe to call from any thread; does not block.
     */
    WatchStream openStream();

    /**
     * A publisher of one watcher: each subscription opens its own stream, creates the watcher on it
     * and delivers the stream's responses (starting with the {@code created} one). Cancelling the
     * subscription closes the stream; a subscriber that cancels inside {@code onSubscribe} creates
     * no watcher.
     *
     * @throws NullPointerException if {@code request} is null
     */
    default Flow.Publisher<WatchResponse> watch(WatchCreateRequest request) {
        Objects.requireNonNull(request, "request");
        return subscriber -> {
            WatchStream stream = openStream();
            stream.subscribe(subscriber);
            try {
                stream.create(request);
            } catch (IllegalStateException closed) {
                // The subscriber cancelled (closing the stream) inside onSubscribe: nothing to watch for it.
            }
        };
    }
}
