package io.cairn.server.mvcc;

import io.cairn.api.Experimental;

/**
 * A hash of the key-value history, after etcd's {@code HashKV}: members that applied the same log
 * report the same hash for the same {@code hashRevision} and {@code compactRevision}.
 *
 * @param hash a CRC-32C, in {@code [0, 2^32)}
 * @param compactRevision the store's compaction revision ({@code -1} if it was never compacted)
 * @param hashRevision the revision the hash covers up to (inclusive)
 */
@Experimental("server internals")
public record HashResult(long hash, long compactRevision, long hashRevision) {}
