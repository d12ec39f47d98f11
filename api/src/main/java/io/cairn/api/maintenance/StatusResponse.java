package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The status of the answering member, as etcd's {@code StatusResponse}. Unsigned 64-bit fields
 * (ids, indexes, term) are carried bit for bit in a {@code long}.
 *
 * @param header the response header
 * @param version the cluster protocol version the member uses, such as {@code "3.6.0"}; never null
 * @param dbSize the size of the member's storage on disk, in bytes
 * @param leader the id of the member this member believes is leader, 0 for none
 * @param raftIndex the member's Raft commit index
 * @param raftTerm the member's Raft term
 * @param raftAppliedIndex the member's Raft applied index
 * @param errors alarm and health messages; unmodifiable
 * @param dbSizeInUse the part of {@code dbSize} logically in use, in bytes
 * @param learner whether the member is a Raft learner (etcd {@code isLearner})
 * @param storageVersion the version of the storage format; empty when unknown; never null
 * @param dbSizeQuota the configured storage quota in bytes (etcd {@code --quota-backend-bytes})
 * @param downgradeInfo whether a downgrade is under way; never null
 */
@Stable(since = "0.1")
public record StatusResponse(
        ResponseHeader header,
        String version,
        long dbSize,
        long leader,
        long raftIndex,
        long raftTerm,
        long raftAppliedIndex,
        List<String> errors,
        long dbSizeInUse,
        boolean learner,
        String storageVersion,
        long dbSizeQuota,
        DowngradeInfo downgradeInfo) {

    /**
     * Copies {@code errors}.
     *
     * @throws NullPointerException if an object component or an error is null
     * @throws IllegalArgumentException if a size is negative
     */
    public StatusResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(version, "version");
        errors = Checks.copyOf(errors, "errors");
        Objects.requireNonNull(storageVersion, "storageVersion");
        Objects.requireNonNull(downgradeInfo, "downgradeInfo");
        Checks.notNegative(dbSize, "dbSize");
        Checks.notNegative(dbSizeInUse, "dbSizeInUse");
        Checks.notNegative(dbSizeQuota, "dbSizeQuota");
    }
}
