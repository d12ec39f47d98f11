package io.cairn.api.cluster;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a {@link MemberUpdateRequest}, as etcd's {@code MemberUpdateResponse}.
 *
 * @param header the response header
 * @param members every member after the update; unmodifiable
 */
@Stable(since = "0.1")
public record MemberUpdateResponse(ResponseHeader header, List<Member> members) {

    /**
     * Copies {@code members}.
     *
     * @throws NullPointerException if {@code header}, {@code members} or an element is null
     */
    public MemberUpdateResponse {
        Objects.requireNonNull(header, "header");
        members = Checks.copyOf(members, "members");
    }
}
