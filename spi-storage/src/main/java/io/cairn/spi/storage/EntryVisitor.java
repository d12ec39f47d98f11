package io.cairn.spi.storage;

/**
 * Receives the entries of a scan, one at a time, on the scanning thread.
 *
 * <p>Ownership: {@code key} and {@code value} are fresh arrays that belong to the visitor; the
 * backend never touches them again.
 */
@FunctionalInterface
public interface EntryVisitor {
    /**
     * @return {@code true} to continue with the next entry, {@code false} to stop the scan
     */
    boolean visit(byte[] key, byte[] value);
}
