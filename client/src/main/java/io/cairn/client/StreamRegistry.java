package io.cairn.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open streams and kept-alive leases of a client, so that closing the client ends them all. */
final class StreamRegistry {

    private final Set<Runnable> closers = ConcurrentHashMap.newKeySet();

    void add(Runnable closer) {
        closers.add(closer);
    }

    void remove(Runnable closer) {
        closers.remove(closer);
    }

    void closeAll() {
        for (Runnable closer : closers) {
            closer.run();
        }
        closers.clear();
    }
}
