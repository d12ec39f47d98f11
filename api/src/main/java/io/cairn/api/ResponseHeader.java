package io.cairn.api;

import io.cairn.api.internal.Checks;

/**
 * The header of every response, as etcd's {@code etcdserverpb.ResponseHeader}.
 *
 * <p>{@code clusterId}, {@code memberId} and {@code raftTerm} are unsigned 64-bit numbers on the
 * wire; they are carried bit for bit in a {@code long}, so compare them with
 * {@link Long#compareUnsigned} and print them with {@link Long#toUnsignedString} (or as hex,
 * which is how etcd prints member ids).
 *
 * @param clusterId the id of the cluster that sent the response
 * @param memberId the id of the member that sent the response
 * @param revision the key-value store revision when the request was applied, 0 for calls that do not
 *     touch the key-value store; in a watch progress notification, every later event on the stream
 *     has a higher revision
 * @param raftTerm the Raft term when the request was applied
 */
@Stable(since = "0.1")
public record ResponseHeader(long clusterId, long memberId, long revision, long raftTerm) {

    /** @throws IllegalArgumentException if {@code revision} is negative */
    public ResponseHeader {
        Checks.notNegative(revision, "revision");
    }

    /** Ids in hex, as etcd prints them. */
    @Override
    public String toString() {
        return "ResponseHeader[clusterId=" + Long.toHexString(clusterId) + ", memberId=" + Long.toHexString(memberId)
                + ", revision=" + revision + ", raftTerm=" + Long.toUnsignedString(raftTerm) + "]";
    }
}
