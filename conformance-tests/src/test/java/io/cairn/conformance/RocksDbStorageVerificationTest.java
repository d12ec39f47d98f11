package io.cairn.conformance;

import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The RocksDB plugin against the storage conformance kit, found by id as the server finds it. */
class RocksDbStorageVerificationTest extends StorageVerification {

    @Override
    protected StorageProvider provider() {
        return StorageProviders.byId("rocksdb");
    }

    /** RocksDB's CURRENT names the live MANIFEST; garbage there leaves RocksDB no way to find its files. */
    @Override
    protected void corrupt(Path directory) throws IOException {
        Files.writeString(directory.resolve("CURRENT"), "MANIFEST-garbage\u0000\u00ff\n");
    }

    @Override
    protected List<String> childJvmOptions() {
        return List.of("--enable-native-access=rocksdbjni");
    }
}
