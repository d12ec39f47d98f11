package io.cairn.server.mvcc;

import io.cairn.server.lease.Lessor;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the MVCC tests get their backends. By default the in-memory {@link MemoryBackend}; with
 * {@code -Dcairn.test.storage=<provider id>} (and the provider on the test module path) every test
 * runs on that real plugin instead, in temporary directories.
 */
interface BackendFactory {

    /** The keyspaces of the state-machine backend: the store's and the lessor's. */
    Set<String> KEYSPACES = Stream.concat(MvccStore.KEYSPACES.stream(), Lessor.KEYSPACES.stream())
            .collect(Collectors.toUnmodifiableSet());

    /** A new, empty backend with the MVCC keyspaces. */
    Backend create();

    /** Closes {@code backend} and opens its state again, as a process restart would. */
    Backend reopen(Backend backend);

    /** Closes {@code backend} and deletes what it stored. */
    default void destroy(Backend backend) {
        backend.close();
    }

    static BackendFactory fromSystemProperty() {
        String id = System.getProperty("cairn.test.storage", "memory");
        if (id.equals("memory")) {
            return new BackendFactory() {
                @Override
                public Backend create() {
                    return new MemoryBackend(KEYSPACES);
                }

                @Override
                public Backend reopen(Backend backend) {
                    return ((MemoryBackend) backend).reopen();
                }
            };
        }
        StorageProvider provider = StorageProviders.byId(id);
        return new BackendFactory() {
            @Override
            public Backend create() {
                try {
                    Path directory = Files.createTempDirectory("cairn-mvcc-").resolve("backend");
                    return provider.open(BackendConfig.of(directory, KEYSPACES));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Backend reopen(Backend backend) {
                Path directory = backend.directory();
                backend.close();
                return provider.open(BackendConfig.of(directory, KEYSPACES));
            }

            @Override
            public void destroy(Backend backend) {
                Path temporary = backend.directory().getParent(); // before close: a closed backend refuses every call
                backend.close();
                try (Stream<Path> paths = Files.walk(temporary)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
