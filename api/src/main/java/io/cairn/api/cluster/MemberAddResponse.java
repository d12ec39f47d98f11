package io.cairn.api.cluster;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link MemberAddRequest}, as etcd's {@code MemberAddResponse}.
 *
 * @param header the response header
 * @param member the added member
 * @param members every member after the addition; unmodifiable
 */
@Stable(since = "0.1")
public record MemberAddResponse(ResponseHeader header, Member member, List<Member> members) {

    /**
     * Copies {@code members}.
     *
     * @throws NullPointerException if a component or an element is null
     */
    public MemberAddResponse {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(member, "member");
        members = Checks.copyOf(members, "members");
    }
}
