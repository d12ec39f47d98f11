/**
 * Storage plugin on RocksDB: keyspaces as column families, synced write batches, snapshots, checkpoints.
 *
 * @provides io.cairn.spi.storage.StorageProvider the {@code rocksdb} backend, selected by id
 */
module io.cairn.storage.rocksdb {
    requires io.cairn.spi.storage;
    requires rocksdbjni;

    // The server finds storage by id through ServiceLoader; this module exports nothing else.
    provides io.cairn.spi.storage.StorageProvider with io.cairn.storage.rocksdb.RocksDbStorageProvider;
}
