package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the MVCC tests get their backends. By default the in-memory {@link MemoryBackend}; with
 * {@code -Dcairn.test.storage=<provider id>} (and the provider on the test module path) every test
 * runs on that real plugin instead, in temporary directories.
 */
interface BackendFactory {

    /** A new, empty backend with the MVCC keyspaces. */
    Backend create();

    /** Closes {@code backend} and opens its state again, as a process restart would. */
    Backend reopen(Backend backend);

    static BackendFactory fromSystemProperty() {
        String id = System.getProperty("cairn.test.storage", "memory");
        if (id.equals("memory")) {
            return new BackendFactory() {
                @Override
                public Backend create() {
                    return new MemoryBackend(MvccStore.KEYSPACES);
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
                    return provider.open(BackendConfig.of(directory, MvccStore.KEYSPACES));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Backend reopen(Backend backend) {
                Path directory = backend.directory();
                backend.close();
                return provider.open(BackendConfig.of(directory, MvccStore.KEYSPACES));
            }
        };
    }
}
