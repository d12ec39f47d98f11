package io.cairn.api.cluster;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The members of the cluster, as etcd's {@code MemberListResponse}.
 *
 * @param header the response header
 * @param members every member of the cluster; unmodifiable
 */
@Stable(since = "0.1")
public record MemberListResponse(ResponseHeader header, List<Member> members) {

    /**
     * Copies {@code members}.
     *
     * @throws NullPointerException if {@code header}, {@code members} or an element is null
     */
    public MemberListResponse {
        Objects.requireNonNull(header, "header");
        members = Checks.copyOf(members, "members");
    }
}
