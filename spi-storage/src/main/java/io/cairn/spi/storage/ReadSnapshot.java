package io.cairn.spi.storage;

/**
 * A consistent, immutable view of a {@link Backend} as of the moment it was taken: every batch
 * written before is visible whole, none written after is visible at all, however many writes go on
 * meanwhile.
 *
 * <p>Ownership: the caller owns the snapshot and must close it; it pins resources (old versions of
 * data) until closed. Closing the backend closes its open snapshots. Closing twice is harmless.
 *
 * <p>Threading: safe for concurrent reads by many threads; {@link #close()} must not race with reads
 * of the same snapshot.
 */
public interface ReadSnapshot extends ReadView, AutoCloseable {

    /** Releases the snapshot. Reads afterwards fail with {@link StorageException.Reason#CLOSED}. */
    @Override
    void close();
}
