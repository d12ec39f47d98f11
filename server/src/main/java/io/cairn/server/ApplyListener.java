package io.cairn.server;

import io.cairn.api.watch.Event;

import java.util.List;

/**
 * What the apply loop tells the watch side (the seam for {@code io.cairn.server.watch.WatchHub}).
 *
 * <p>Threading: called on the node's loop thread, in revision order; implementations must not
 * block (hand off to their own delivery).
 */
interface ApplyListener {

    /** Nothing listens. */
    ApplyListener NONE = new ApplyListener() {
        @Override
        public void onApplied(long revision, List<Event> events) {}

        @Override
        public void onCompacted(long compactRevision) {}
    };

    /** After each applied write that changed keys; {@code events} is not empty and immutable. */
    void onApplied(long revision, List<Event> events);

    /** After a compaction at {@code compactRevision} was applied. */
    void onCompacted(long compactRevision);
}
