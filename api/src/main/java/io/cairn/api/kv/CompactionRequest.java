package io.cairn.api.kv;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

/**
 * A compaction of the key-value history, as etcd's {@code CompactionRequest}: every superseded
 * version with a revision lower than {@code revision} is removed, and later reads or watches at
 * those revisions fail with {@link io.cairn.api.CompactedException}.
 *
 * @param revision the revision to compact up to
 * @param physical whether the call waits until the compaction is physically applied to the
 *     member's storage, not just recorded
 */
@Stable(since = "0.1")
public record CompactionRequest(long revision, boolean physical) {

    /** @throws IllegalArgumentException if {@code revision} is negative */
    public CompactionRequest {
        Checks.notNegative(revision, "revision");
    }

    /** A compaction up to {@code revision} that does not wait for the physical compaction. */
    public static CompactionRequest of(long revision) {
        return new CompactionRequest(revision, false);
    }

    /** This compaction, waiting for the physical compaction if {@code physical}. */
    public CompactionRequest withPhysical(boolean physical) {
        return new CompactionRequest(revision, physical);
    }
}
