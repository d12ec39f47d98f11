package io.cairn.raft;

/** What an {@link Entry}'s data holds. */
public enum EntryType {
    /** Application data (possibly empty: a new leader's no-op entry). */
    NORMAL,
    /** An encoded {@link ConfChange} ({@link RaftCodec#encodeConfChange}). */
    CONF_CHANGE
}
