package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;

/** Backends for tests outside this package (the watch hub's), from the same {@link BackendFactory}. */
public final class TestBackends {

    private static final BackendFactory FACTORY = BackendFactory.fromSystemProperty();

    private TestBackends() {
    }

    /** A new, empty backend with the store's and the lessor's keyspaces. */
    public static Backend create() {
        return FACTORY.create();
    }

    /** Closes {@code backend} and deletes what it stored. */
    public static void destroy(Backend backend) {
        FACTORY.destroy(backend);
    }
}
