package io.cairn.spi.storage;

/** How durable a {@link Backend#write} must be when it returns. */
public enum Durability {
    /**
     * The batch is on stable storage (fsync'd) before {@code write} returns: it survives a process
     * crash and a power loss. Used for the Raft log.
     */
    SYNCED,
    /**
     * The batch survives a process crash (it is in the OS page cache or the backend's own log) but
     * may be lost on power loss; a later {@link #SYNCED} write or {@link Backend#flush()} makes it
     * and everything before it durable. Batches are never lost out of order: after a loss, the
     * store holds a prefix of the batch history. Used for the state machine, whose Raft log is its
     * write-ahead log.
     */
    NOT_SYNCED
}
