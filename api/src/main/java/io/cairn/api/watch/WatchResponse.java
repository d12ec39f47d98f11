package io.cairn.api.watch;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * One message of a watch stream, as etcd's {@code WatchResponse}. One of:
 * <ul>
 *   <li>the answer to a create ({@code created}; {@code watchId} is the watcher's id; if the create
 *       failed, also {@code canceled} with a {@code cancelReason}, and {@code compactRevision} when
 *       the start revision was compacted);
 *   <li>events of one watcher (never mixing revisions out of order; with {@code fragment} set on
 *       all but the last part when a large revision was split);
 *   <li>a cancellation ({@code canceled}; by request, or by the server with a {@code cancelReason},
 *       or because the watcher fell behind a compaction: {@code compactRevision} is then set and
 *       the watch cannot be resumed below it);
 *   <li>a progress notification (no events, not created or canceled): every later event on the
 *       stream has a revision above {@code header().revision()}. A notification answering
 *       {@link WatchStream#requestProgress()} has watch id -1.
 * </ul>
 *
 * @param header the response header; never null
 * @param watchId the watcher this message is for; -1 for a stream-wide progress notification
 * @param created whether this answers a create request
 * @param canceled whether the watcher is canceled; no further message comes for it
 * @param compactRevision when a watcher asked for a compacted revision: the compaction revision
 * @param cancelReason why the server canceled the watcher; empty otherwise; never null
 * @param fragment whether more events of the same revision follow in the next message
 * @param events the events, in revision order; unmodifiable
 */
@Stable(since = "0.1")
public record WatchResponse(
        ResponseHeader header,
        long watchId,
        boolean created,
        boolean canceled,
        long compactRevision,
        String cancelReason,
        boolean fragment,
        List<Event> events) {

    /**
     * Copies {@code events}.
     *
     * @throws NullPointerException if an object component or an event is null
     * @throws IllegalArgumentException if {@code compactRevision} is negative
     */
    public WatchResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(cancelReason, "cancelReason");
        Checks.notNegative(compactRevision, "compactRevision");
        events = Checks.copyOf(events, "events");
    }

    /**
     * Whether this is a progress notification: no events, not a create or cancel, no compaction,
     * and a header revision (the test etcd's client uses).
     */
    public boolean isProgressNotify() {
        return events.isEmpty() && !created && !canceled && compactRevision == 0 && header.revision() != 0;
    }
}
