package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.Objects;

/**
 * The hash of the key-value history, as etcd's {@code HashKVResponse}: members with equal
 * {@code compactRevision} and {@code hashRevision} must report equal hashes.
 *
 * @param header the response header
 * @param hash the hash, an unsigned 32-bit number in {@code [0, 2^32)}
 * @param compactRevision the store's compaction revision when hashing began
 * @param hashRevision the revision the hash covers up to
 */
@Stable(since = "0.1")
public record HashKVResponse(ResponseHeader header, long hash, long compactRevision, long hashRevision) {

    /**
     * @throws NullPointerException if {@code header} is null
     * @throws IllegalArgumentException if {@code hash} is not an unsigned 32-bit number or a
     *     revision is negative
     */
    public HashKVResponse {
        Objects.requireNonNull(header, "header");
        checkUnsigned32(hash);
        Checks.notNegative(compactRevision, "compactRevision");
        Checks.notNegative(hashRevision, "hashRevision");
    }

    static void checkUnsigned32(long hash) {
        if (hash < 0 || hash > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("hash must be an unsigned 32-bit number, got " + hash);
        }
    }
}
