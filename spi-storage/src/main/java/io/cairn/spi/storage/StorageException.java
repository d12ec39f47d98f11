package io.cairn.spi.storage;

import java.util.Objects;

/** A storage failure, with a {@link Reason} that callers can act on. Unchecked. */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The directory is held by another open backend, in this process or another one. */
        LOCKED,
        /** The directory holds files that are not this provider's backend. */
        FOREIGN,
        /** The provider's own files are damaged; nothing was repaired or deleted. */
        CORRUPTED,
        /** The backend or snapshot was closed before the call. */
        CLOSED,
        /** Any other failure of the underlying store or file system. */
        IO
    }

    private final Reason reason;

    public StorageException(Reason reason, String message) {
        this(reason, message, null);
    }

    public StorageException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }
}
