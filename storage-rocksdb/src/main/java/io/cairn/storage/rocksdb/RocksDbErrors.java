package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageException.Reason;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** Translates RocksDB's status codes into {@link StorageException} reasons. */
final class RocksDbErrors {

    private RocksDbErrors() {}

    /**
     * The exception for a failure of {@code action}: {@code Corruption} → CORRUPTED, a held
     * directory lock → LOCKED, everything else → IO.
     */
    static StorageException translate(String action, RocksDBException e) {
        return new StorageException(reasonOf(e), action + ": " + describe(e), e);
    }

    static Reason reasonOf(RocksDBException e) {
        Status status = e.getStatus();
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return Reason.CORRUPTED;
        }
        String message = String.valueOf(e.getMessage());
        // In this process: "lock hold by current process"; in another one: "While lock file: …/LOCK:
        // Resource temporarily unavailable". RocksDB has no sub-code for either.
        if (message.contains("lock hold by current process") || message.contains("While lock file")) {
            return Reason.LOCKED;
        }
        return Reason.IO;
    }

    static String describe(RocksDBException e) {
        Status status = e.getStatus();
        String message = e.getMessage();
        if (status == null) {
            return String.valueOf(message);
        }
        return "RocksDB " + status.getCodeString() + (message == null ? "" : " (" + message + ")");
    }
}
