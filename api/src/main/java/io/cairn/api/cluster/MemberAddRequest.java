package io.cairn.api.cluster;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;

/**
 * A request to add a member, as etcd's {@code MemberAddRequest}. URLs are checked by the server
 * ({@link io.cairn.api.ErrorCode#MEMBER_BAD_URLS}, {@link io.cairn.api.ErrorCode#PEER_URL_EXISTS}).
 *
 * @param peerUrls the URLs the new member will serve peers on; unmodifiable
 * @param learner whether it joins as a Raft learner (etcd {@code isLearner})
 */
@Stable(since = "0.1")
public record MemberAddRequest(List<String> peerUrls, boolean learner) {

    /**
     * Copies {@code peerUrls}.
     *
     * @throws NullPointerException if {@code peerUrls} or a URL is null
     */
    public MemberAddRequest {
        peerUrls = Checks.copyOf(peerUrls, "peerUrls");
    }

    /** Adds a voting member with these peer URLs. */
    public static MemberAddRequest voter(List<String> peerUrls) {
        return new MemberAddRequest(peerUrls, false);
    }

    /** Adds a learner with these peer URLs. */
    public static MemberAddRequest learner(List<String> peerUrls) {
        return new MemberAddRequest(peerUrls, true);
    }
}
