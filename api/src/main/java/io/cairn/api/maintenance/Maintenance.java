package io.cairn.api.maintenance;

import io.cairn.api.CairnException;
import io.cairn.api.Stable;
import io.cairn.api.StatusCode;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * The maintenance service, as etcd's {@code Maintenance} gRPC service. Each call is answered by the
 * member it reaches (not necessarily the leader). The contract of {@link io.cairn.api.kv.KV} holds
 * for every method: null arguments throw at once, futures complete exceptionally with a
 * {@link io.cairn.api.CairnException}, methods are thread-safe and do not block.
 */
@Stable(since = "0.1")
public interface Maintenance {

    /** Lists, raises or disarms alarms. */
    CompletableFuture<AlarmResponse> alarm(AlarmRequest request);

    /** The status of the answering member. */
    CompletableFuture<StatusResponse> status();

    /** Defragments the answering member's storage to give back unused space. */
    CompletableFuture<DefragmentResponse> defragment();

    /** Hashes the member's whole storage; for tests. */
    CompletableFuture<HashResponse> hash();

    /** Hashes the key-value history up to a revision, for comparing members. */
    CompletableFuture<HashKVResponse> hashKV(HashKVRequest request);

    /**
     * Streams a snapshot of the member's whole storage, as etcd's server-streaming {@code Snapshot}
     * RPC. Each subscription takes its own snapshot; chunks follow the subscriber's demand. The
     * stream completes after the chunk with {@code remainingBytes == 0}, or fails with a
     * {@link io.cairn.api.CairnException}; cancelling the subscription abandons the snapshot.
     */
    Flow.Publisher<SnapshotResponse> snapshot();

    /** Hands leadership to another member; sent to the leader. */
    CompletableFuture<MoveLeaderResponse> moveLeader(MoveLeaderRequest request);

    /**
     * Validates, enables or cancels a cluster downgrade. By default not supported: the future
     * fails with status UNIMPLEMENTED.
     */
    default CompletableFuture<DowngradeResponse> downgrade(DowngradeRequest request) {
        Objects.requireNonNull(request, "request");
        return CompletableFuture.failedFuture(new CairnException(StatusCode.UNIMPLEMENTED,
                "downgrade is not supported"));
    }
}
