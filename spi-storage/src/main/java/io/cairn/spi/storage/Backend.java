package io.cairn.spi.storage;

import java.nio.file.Path;
import java.util.Set;

/**
 * An open storage backend: named keyspaces of ordered byte keys, atomic write batches across
 * keyspaces, consistent snapshots, checkpoints. Obtained from {@link StorageProvider#open}.
 *
 * <p>Reads through the backend itself ({@link ReadView}) see the latest written state: a batch is
 * visible whole or not at all, and every batch whose {@link #write} has returned is visible.
 *
 * <p>Threading: every method is safe to call from many threads at once; concurrent writes are
 * applied one after the other in some order. A call that starts after {@link #close()} fails with
 * {@link StorageException.Reason#CLOSED}; a call in progress when close begins either completes or
 * fails the same way (implementations may make close wait for it, so a scan visitor must not block
 * on, or call, close). Whatever the interleaving, a call never touches freed resources.
 *
 * <p>Failure: any {@link StorageException} other than {@code CLOSED} from a write means the outcome
 * of that batch is unknown; the caller should treat the backend as failed and reopen it, which
 * recovers a state containing every batch acknowledged as {@link Durability#SYNCED}.
 */
public interface Backend extends ReadView, AutoCloseable {

    /** The directory this backend was opened on. */
    Path directory();

    /** The keyspaces this backend was opened with. */
    Set<String> keyspaces();

    /**
     * Applies {@code batch} atomically across all its keyspaces: after a crash, either every
     * operation of it is present or none is. Operations apply in the order they were added. An
     * empty batch is allowed, and with {@link Durability#SYNCED} makes every earlier write durable.
     *
     * <p>Ownership: the batch and its arrays stay the caller's; they are not retained after return.
     *
     * @throws IllegalArgumentException if the batch names a keyspace this backend was not opened
     *     with; nothing is written then
     */
    void write(WriteBatch batch, Durability durability);

    /** Takes a consistent snapshot of the current state. The caller must close it. */
    ReadSnapshot snapshot();

    /**
     * Makes every write that has returned durable, as if it had been {@link Durability#SYNCED}.
     */
    void flush();

    /**
     * Writes a consistent copy of the current state to {@code target}, which must not exist (its
     * parent must). {@link StorageProvider#open} of the same provider opens the copy as an
     * independent backend. Writes may go on during the checkpoint; the copy holds a state between
     * two batches. Where the platform allows, files are hard-linked, so a checkpoint is cheap.
     *
     * @throws StorageException with {@link StorageException.Reason#IO} if {@code target} exists or
     *     cannot be written; a partial target is removed. Implementations may stage the copy in a
     *     sibling of {@code target} (such as {@code <target>.tmp}) and refuse if that exists.
     */
    void checkpoint(Path target);

    /** Sizes, for monitoring and quotas. Cheap: estimates, never a full scan. */
    BackendStats stats();

    /**
     * Reclaims the space of deleted and overwritten entries now (RocksDB: a full compaction;
     * Xodus: garbage collection of its log files). Reads and writes from other threads must go on
     * meanwhile, and are kept (the member's {@code Defragment} runs this while it serves clients;
     * conformance rule 8.3). Returns when done.
     */
    void compact();

    /**
     * Closes the backend and every snapshot still open on it, releasing the directory lock.
     * {@link Durability#SYNCED} writes are durable already; {@link Durability#NOT_SYNCED} ones are
     * flushed. Closing twice is harmless.
     */
    @Override
    void close();
}
