package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * The hash of the member's whole storage, as etcd's {@code HashResponse}. For testing only: it
 * does not hold the store still while hashing; use {@link HashKVResponse} to compare members.
 *
 * @param header the response header
 * @param hash the hash, an unsigned 32-bit number in {@code [0, 2^32)}
 */
@Stable(since = "0.1")
public record HashResponse(ResponseHeader header, long hash) {

    /**
     * @throws NullPointerException if {@code header} is null
     * @throws IllegalArgumentException if {@code hash} is not an unsigned 32-bit number
     */
    public HashResponse {
        Objects.requireNonNull(header, "header");
        HashKVResponse.checkUnsigned32(hash);
    }
}
