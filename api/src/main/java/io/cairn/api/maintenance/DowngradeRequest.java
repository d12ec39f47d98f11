package io.cairn.api.maintenance;

import io.cairn.api.Experimental;

import java.util.Objects;

/**
 * A cluster downgrade request, as etcd's {@code DowngradeRequest}.
 *
 * @param action what to do; never null
 * @param version the target version, such as {@code "3.5"}; empty for {@code CANCEL}; never null
 */
@Experimental("Cairn has no older versions to downgrade to yet")
public record DowngradeRequest(Action action, String version) {

    /** What a downgrade request does, as etcd's {@code DowngradeRequest.DowngradeAction}. */
    @Experimental
    public enum Action {
        VALIDATE,
        ENABLE,
        CANCEL
    }

    /** @throws NullPointerException if a component is null */
    public DowngradeRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(version, "version");
    }
}
