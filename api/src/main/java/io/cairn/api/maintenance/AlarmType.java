package io.cairn.api.maintenance;

import io.cairn.api.Stable;

/** A kind of alarm, as etcd's {@code AlarmType}. */
@Stable(since = "0.1")
public enum AlarmType {
    /** No particular alarm: in a GET, every alarm. */
    NONE,
    /** The storage quota is exhausted; the cluster accepts only reads and deletes until disarmed. */
    NOSPACE,
    /** Corruption of the key-value store was detected. */
    CORRUPT
}
