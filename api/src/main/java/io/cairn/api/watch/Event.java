package io.cairn.api.watch;

import io.cairn.api.KeyValue;
import io.cairn.api.Stable;

import java.util.Objects;
import java.util.Optional;

/**
 * One change of one key, as etcd's {@code mvccpb.Event}.
 *
 * @param type whether the key was put or deleted; never null
 * @param kv the key after the change: for a delete, the key with the delete's revision as mod
 *     revision, version 0 and an empty value; never null
 * @param prevKv the key before the change, when the watch asked for it and it was still available
 */
@Stable(since = "0.1")
public record Event(Type type, KeyValue kv, Optional<KeyValue> prevKv) {

    /** The kind of change, as etcd's {@code Event.EventType}. */
    @Stable(since = "0.1")
    public enum Type {
        PUT,
        DELETE
    }

    /** @throws NullPointerException if a component is null */
    public Event {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kv, "kv");
        Objects.requireNonNull(prevKv, "prevKv");
    }
}
