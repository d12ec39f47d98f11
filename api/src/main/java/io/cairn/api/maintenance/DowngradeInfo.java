package io.cairn.api.maintenance;

import io.cairn.api.Stable;

import java.util.Objects;

/**
 * Whether a cluster downgrade is under way, as etcd's {@code DowngradeInfo}.
 *
 * @param enabled whether a downgrade is enabled
 * @param targetVersion the version being downgraded to; empty when none; never null
 */
@Stable(since = "0.1")
public record DowngradeInfo(boolean enabled, String targetVersion) {

    /** No downgrade. */
    public static final DowngradeInfo NONE = new DowngradeInfo(false, "");

    /** @throws NullPointerException if {@code targetVersion} is null */
    public DowngradeInfo {
        Objects.requireNonNull(targetVersion, "targetVersion");
    }
}
