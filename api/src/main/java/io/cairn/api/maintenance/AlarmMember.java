package io.cairn.api.maintenance;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * One raised alarm, as etcd's {@code AlarmMember}.
 *
 * @param memberId the member that raised it
 * @param alarm the alarm; never null
 */
@Stable(since = "0.1")
public record AlarmMember(long memberId, AlarmType alarm) {

    /** @throws NullPointerException if {@code alarm} is null */
    public AlarmMember {
        Objects.requireNonNull(alarm, "alarm");
    }
}
