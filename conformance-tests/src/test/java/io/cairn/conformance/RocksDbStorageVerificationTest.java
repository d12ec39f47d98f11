package io.cairn.conformance;

import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import org.junit.jupiter.api.Disabled;

/** The RocksDB plugin against the storage conformance kit, found by id as the server finds it. */
@Disabled("enabled after plugin merge")
class RocksDbStorageVerificationTest extends StorageVerification {

    @Override
    protected StorageProvider provider() {
        return StorageProviders.byId("rocksdb");
    }
}
