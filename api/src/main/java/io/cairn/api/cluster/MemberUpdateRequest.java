package io.cairn.api.cluster;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;

/**
 * A request to change a member's peer URLs, as etcd's {@code MemberUpdateRequest}.
 *
 * @param id the member
 * @param peerUrls its new peer URLs; unmodifiable
 */
@Stable(since = "0.1")
public record MemberUpdateRequest(long id, List<String> peerUrls) {

    /**
     * Copies {@code peerUrls}.
     *
     * @throws NullPointerException if {@code peerUrls} or a URL is null
     */
    public MemberUpdateRequest {
        peerUrls = Checks.copyOf(peerUrls, "peerUrls");
    }
}
