package io.cairn.spi.storage;

import java.util.Map;

/**
 * Sizes of a backend.
 *
 * @param sizeOnDiskBytes bytes the backend's files take in its directory
 * @param estimatedKeys per keyspace, an estimate of the number of live keys (exact where the
 *     library keeps a count, otherwise the library's estimate)
 */
public record BackendStats(long sizeOnDiskBytes, Map<String, Long> estimatedKeys) {
    public BackendStats {
        estimatedKeys = Map.copyOf(estimatedKeys);
    }
}
