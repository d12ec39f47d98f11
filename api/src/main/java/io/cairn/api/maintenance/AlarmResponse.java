package io.cairn.api.maintenance;

import io.cairn.api.ResponseHeader;
import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to an {@link AlarmRequest}, as etcd's {@code AlarmResponse}.
 *
 * @param header the response header
 * @param alarms the alarms the request concerned (for a GET, the raised ones); unmodifiable
 */
@Stable(since = "0.1")
public record AlarmResponse(ResponseHeader header, List<AlarmMember> alarms) {

    /**
     * Copies {@code alarms}.
     *
     * @throws NullPointerException if {@code header}, {@code alarms} or an element is null
     */
    public AlarmResponse {
        Objects.requireNonNull(header, "header");
        alarms = Checks.copyOf(alarms, "alarms");
    }
}
