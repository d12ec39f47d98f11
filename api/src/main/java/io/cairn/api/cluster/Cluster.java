package io.cairn.api.cluster;

import io.cairn.api.Stable;

import java.util.concurrent.CompletableFuture;

/**
 * The cluster service, as etcd's {@code Cluster} gRPC service. The contract of {@link io.cairn.api.kv.KV}
 * holds for every method: null arguments throw at once, futures complete exceptionally with a
 * {@link io.cairn.api.CairnException} (for example {@link io.cairn.api.ErrorCode#MEMBER_NOT_FOUND}),
 * methods are thread-safe and do not block.
 */
@Stable(since = "0.1")
public interface Cluster {

    /** Adds a member (voter or learner). */
    CompletableFuture<MemberAddResponse> memberAdd(MemberAddRequest request);

    /** Removes a member. */
    CompletableFuture<MemberRemoveResponse> memberRemove(MemberRemoveRequest request);

    /** Changes a member's peer URLs. */
    CompletableFuture<MemberUpdateResponse> memberUpdate(MemberUpdateRequest request);

    /** Lists the members. */
    CompletableFuture<MemberListResponse> memberList(MemberListRequest request);

    /** Promotes a learner to a voting member. */
    CompletableFuture<MemberPromoteResponse> memberPromote(MemberPromoteRequest request);

    /** Lists the members from the member's local view: {@code memberList(MemberListRequest.local())}. */
    default CompletableFuture<MemberListResponse> memberList() {
        return memberList(MemberListRequest.local());
    }
}
