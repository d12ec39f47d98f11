package io.cairn.api.maintenance;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * A query or change of alarms, as etcd's {@code AlarmRequest}: {@code AlarmRequest.get()} lists
 * every raised alarm; {@code new AlarmRequest(DEACTIVATE, memberId, NOSPACE)} disarms one.
 *
 * @param action what to do; never null
 * @param memberId the member concerned, 0 for every member
 * @param alarm the alarm concerned; never null
 */
@Stable(since = "0.1")
public record AlarmRequest(Action action, long memberId, AlarmType alarm) {

    /** What an alarm request does, as etcd's {@code AlarmRequest.AlarmAction}. */
    @Stable(since = "0.1")
    public enum Action {
        GET,
        ACTIVATE,
        DEACTIVATE
    }

    /** @throws NullPointerException if {@code action} or {@code alarm} is null */
    public AlarmRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(alarm, "alarm");
    }

    /** Lists every raised alarm of every member. */
    public static AlarmRequest get() {
        return new AlarmRequest(Action.GET, 0, AlarmType.NONE);
    }
}
