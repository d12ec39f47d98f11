package io.cairn.server.mvcc;

import io.cairn.api.watch.Event;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * The events of one write ({@link WriteResult#events()}), built from its stored versions only when
 * an element is first read. The watch hub reads them only while a watch stream is open, so a write
 * with nobody watching copies no key or value into api objects (benchmark/results/profile-put-1000.md).
 *
 * <p>Unmodifiable. Safe to read from any thread: the versions are immutable, and two threads racing
 * to build the list each build an equal one.
 */
final class LazyEvents extends AbstractList<Event> implements RandomAccess {

    /** One changed key: its new version (a put or a tombstone) and the live version before, or null. */
    record Change(Event.Type type, StoredVersion version, StoredVersion previous) {
    }

    private final List<Change> changes;
    private volatile List<Event> built;

    /** Takes ownership of {@code changes} (the caller no longer changes the list). */
    LazyEvents(List<Change> changes) {
        this.changes = changes;
    }

    @Override
    public Event get(int index) {
        return events().get(index);
    }

    @Override
    public int size() {
        return changes.size();
    }

    private List<Event> events() {
        List<Event> events = built;
        if (events == null) {
            List<Event> building = new ArrayList<>(changes.size());
            for (Change change : changes) {
                building.add(new Event(change.type(), change.version().toKeyValue(),
                        change.previous() == null ? Optional.empty() : Optional.of(change.previous().toKeyValue())));
            }
            events = List.copyOf(building);
            built = events;
        }
        return events;
    }
}
