package io.cairn.api;

import java.util.OptionalLong;

/**
 * The requested revision has been compacted away ({@link ErrorCode#COMPACTED}, etcd's
 * {@code "etcdserver: mvcc: required revision has been compacted"}, status OUT_OF_RANGE).
 *
 * <p>Carries the revision the store was compacted to when it is known: the embedded server knows
 * it; etcd's wire error does not carry it, so an exception built by a remote client from a status
 * has none. Retry at or above the compact revision, or without a revision.
 */
@Stable(since = "0.1")
public class CompactedException extends CairnException {

    private static final long serialVersionUID = 1L;

    private final long compactRevision;

    /** Without a known compact revision. */
    public CompactedException() {
        super(ErrorCode.COMPACTED);
        this.compactRevision = -1;
    }

    /**
     * With the revision the store was compacted to.
     *
     * @throws IllegalArgumentException if {@code compactRevision} is negative
     */
    public CompactedException(long compactRevision) {
        super(ErrorCode.COMPACTED);
        if (compactRevision < 0) {
            throw new IllegalArgumentException("compactRevision must not be negative, got " + compactRevision);
        }
        this.compactRevision = compactRevision;
    }

    /** The revision the store was compacted to, if known. */
    public OptionalLong compactRevision() {
        return compactRevision < 0 ? OptionalLong.empty() : OptionalLong.of(compactRevision);
    }
}
