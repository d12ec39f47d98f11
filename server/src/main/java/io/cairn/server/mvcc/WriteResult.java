package io.cairn.server.mvcc;

import io.cairn.api.Experimental;
import io.cairn.api.watch.Event;

import java.util.List;
import java.util.Objects;

/**
 * What applying one write produced.
 *
 * @param response the response to return to the client; never null
 * @param revision the store's revision after the write (the write's revision if it changed
 *     anything, else the unchanged current revision)
 * @param events the changes, in order (one per changed key, all at {@code revision}), each with
 *     its {@code prevKv} when the key existed before; empty if nothing changed; unmodifiable. The
 *     watch hub hands these to live watchers (dropping {@code prevKv} for watchers that did not ask).
 *     The store's own results build their events only when an element is first read, so checking
 *     {@code size()} or {@code isEmpty()} costs nothing
 * @param <R> the response type
 */
@Experimental("server internals; shaped for the Raft apply loop and the watch hub")
public record WriteResult<R>(R response, long revision, List<Event> events) {

    /** @throws NullPointerException if a component or an event is null */
    public WriteResult {
        Objects.requireNonNull(response, "response");
        events = events instanceof LazyEvents ? events : List.copyOf(events);
    }
}
