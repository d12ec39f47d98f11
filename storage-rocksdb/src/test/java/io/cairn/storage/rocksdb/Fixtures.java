package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.KeyValuePair;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Shared helpers for the RocksDB backend tests. */
final class Fixtures {

    private Fixtures() {}

    static StorageProvider provider() {
        return StorageProviders.byId("rocksdb");
    }

    static Backend open(Path directory, String... keyspaces) {
        return provider().open(BackendConfig.of(directory, keyspaces));
    }

    static Backend open(Path directory, Map<String, String> options, String... keyspaces) {
        return provider().open(new BackendConfig(directory, java.util.Set.of(keyspaces), options));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static void put(Backend backend, String keyspace, byte[] key, byte[] value) {
        backend.write(new WriteBatch().put(keyspace, key, value), Durability.SYNCED);
    }

    /** The keys of the entries, as hex strings, for readable assertion failures. */
    static List<String> keys(List<KeyValuePair> entries) {
        return entries.stream().map(entry -> hex(entry.key())).toList();
    }
}
