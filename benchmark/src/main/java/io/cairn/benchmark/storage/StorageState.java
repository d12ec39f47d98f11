package io.cairn.benchmark.storage;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** A backend of one provider in a fresh temporary directory, and the key/value shapes all benchmarks use. */
final class StorageState {

    static final String KEYSPACE = "bench";
    static final int VALUE_SIZE = 100;

    private final Path directory;
    final Backend backend;

    StorageState(String providerId) {
        try {
            directory = Files.createTempDirectory("cairn-bench-" + providerId + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        backend = StorageProviders.byId(providerId).open(BackendConfig.of(directory.resolve("db"), KEYSPACE));
    }

    /** 16-byte keys: a fixed prefix then the big-endian index, so index order is key order. */
    static byte[] key(long index) {
        return ByteBuffer.allocate(16).putLong(0x6b65792d6b65792dL).putLong(index).array();
    }

    static byte[] value(SplittableRandom random) {
        byte[] value = new byte[VALUE_SIZE];
        random.nextBytes(value);
        return value;
    }

    /** Loads keys {@code [0, count)} in synced batches of 1,000 (not measured). */
    void preload(long count, SplittableRandom random) {
        WriteBatch batch = new WriteBatch();
        for (long i = 0; i < count; i++) {
            batch.put(KEYSPACE, key(i), value(random));
            if (batch.size() == 1000) {
                backend.write(batch, Durability.NOT_SYNCED);
                batch = new WriteBatch();
            }
        }
        backend.write(batch, Durability.SYNCED);
    }

    void close() {
        backend.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
