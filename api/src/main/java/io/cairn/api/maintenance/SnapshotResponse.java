package io.cairn.api.maintenance;

import io.cairn.api.Bytes;
import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * One chunk of a snapshot stream, as etcd's {@code SnapshotResponse}. The chunks' blobs, in order,
 * make up the snapshot file.
 *
 * @param header the response header; the first chunk's header gives the snapshot's revision
 * @param remainingBytes the number of blob bytes still to come after this chunk; 0 on the last
 * @param blob the next bytes of the snapshot; never null
 * @param version the server version that made the snapshot, the one to restore it with; may be
 *     empty; never null
 */
@Stable(since = "0.1")
public record SnapshotResponse(ResponseHeader header, long remainingBytes, Bytes blob, String version) {

    /**
     * @throws NullPointerException if an object component is null
     * @throws IllegalArgumentException if {@code remainingBytes} is negative
     */
    public SnapshotResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(version, "version");
        if (remainingBytes < 0) {
            throw new IllegalArgumentException("remainingBytes must not be negative, got " + remainingBytes);
        }
    }
}
