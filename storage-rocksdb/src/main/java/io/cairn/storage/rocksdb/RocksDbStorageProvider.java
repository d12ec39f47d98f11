package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageProvider;
import java.util.Objects;
import org.rocksdb.RocksDB;

/**
 * The {@code rocksdb} storage provider: every keyspace is a RocksDB column family, writes are
 * RocksDB write batches through the write-ahead log, snapshots and checkpoints are RocksDB's own.
 * Found through ServiceLoader only; nothing outside this module names the class.
 */
public final class RocksDbStorageProvider implements StorageProvider {

    /** The id this provider is selected by. */
    static final String ID = "rocksdb";

    /** The on-disk layout version written into {@link io.cairn.spi.storage.BackendDirectory}'s marker. */
    static final int FORMAT_VERSION = 1;

    /** For ServiceLoader. */
    public RocksDbStorageProvider() {}

    @Override
    public String id() {
        return ID;
    }

    /** Loads the native library to learn its version. */
    @Override
    public String description() {
        RocksDB.loadLibrary();
        return "RocksDB " + RocksDB.rocksdbVersion() + " (rocksdbjni)";
    }

    @Override
    public Backend open(BackendConfig config) {
        Objects.requireNonNull(config, "config is null");
        return RocksDbBackend.open(config);
    }
}
