/**
 * The RocksDB storage backend; reachable only through {@link io.cairn.spi.storage.StorageProvider}.
 */
package io.cairn.storage.rocksdb;
