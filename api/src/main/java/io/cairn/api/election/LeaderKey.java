package io.cairn.api.election;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.Objects;

/**
 * Proof of leadership of an election, as etcd's {@code v3electionpb.LeaderKey}.
 *
 * @param name the election's name; never null
 * @param key the leadership key: leadership is lost when it is deleted; never null
 * @param rev the key's create revision: a transaction can guard on "create revision of
 *     {@code key} equals {@code rev}" to act only while still leader
 * @param lease the leader's lease
 */
@Stable(since = "0.1")
public record LeaderKey(Bytes name, Bytes key, long rev, long lease) {

    /** @throws NullPointerException if {@code name} or {@code key} is null */
    public LeaderKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
    }
}
