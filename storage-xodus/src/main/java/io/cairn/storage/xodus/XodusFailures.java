package io.cairn.storage.xodus;

import io.cairn.spi.storage.StorageException;
import java.io.IOException;
import jetbrains.exodus.ExodusException;
import jetbrains.exodus.crypto.InvalidCipherParametersException;
import jetbrains.exodus.env.EnvironmentClosedException;
import jetbrains.exodus.log.DataCorruptionException;

/** Turns Xodus's exceptions into {@link StorageException}s with a reason a caller can act on. */
final class XodusFailures {

    private XodusFailures() {}

    /** {@code what} failed with {@code failure}: CORRUPTED for damaged data, CLOSED for a closed environment, else IO. */
    static StorageException of(String what, ExodusException failure) {
        StorageException.Reason reason;
        if (isCorruption(failure)) {
            reason = StorageException.Reason.CORRUPTED;
        } else if (failure instanceof EnvironmentClosedException) {
            reason = StorageException.Reason.CLOSED;
        } else {
            reason = StorageException.Reason.IO;
        }
        return new StorageException(reason, what + " failed: " + describe(failure), failure);
    }

    /** Whether {@code failure} or one of its causes says that the log's bytes are damaged. */
    static boolean isCorruption(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataCorruptionException
                    || cause instanceof InvalidCipherParametersException) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code failure} or one of its causes is an I/O failure of the file system. */
    static boolean isIo(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The first line of the message (Xodus's lock failure appends several lines of lock owner details). */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
