package io.cairn.storage.rocksdb;

import java.lang.System.Logger.Level;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Logger;

/**
 * Sends RocksDB's info log to {@link System.Logger} instead of a LOG file in the backend directory,
 * so that the directory holds only the database (and a failed open rotates no log files there), and
 * RocksDB's warnings reach the application's logging. Only warnings and errors cross JNI.
 */
final class RocksDbLogger extends Logger {

    private static final System.Logger LOG = System.getLogger("io.cairn.storage.rocksdb");

    private final String directory;

    RocksDbLogger(String directory) {
        super(InfoLogLevel.WARN_LEVEL);
        this.directory = directory;
    }

    @Override
    protected void log(InfoLogLevel level, String message) {
        Level mapped = switch (level) {
            case DEBUG_LEVEL -> Level.DEBUG;
            case INFO_LEVEL, HEADER_LEVEL -> Level.INFO;
            case WARN_LEVEL -> Level.WARNING;
            case ERROR_LEVEL, FATAL_LEVEL -> Level.ERROR;
            case NUM_INFO_LOG_LEVELS -> Level.INFO;
        };
        LOG.log(mapped, "RocksDB {0}: {1}", directory, message);
    }
}
