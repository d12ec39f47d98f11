package io.cairn.conformance.linearizability;

/**
 * What the store answered to an {@link Operation} that succeeded. Revisions are etcd's: 0 means "the
 * client did not report it", and the model then checks nothing about it.
 */
public sealed interface Result {

    /**
     * Answer to a {@link Operation.Put}. {@code prevValue} is the previous value when the put asked for
     * {@code prevKv} ({@code null}: the key did not exist), ignored otherwise; {@code prevModRevision} its
     * mod revision (0: not reported); {@code revision} the header revision, which for a put is the new mod
     * revision of the key.
     */
    record PutResult(String prevValue, long prevModRevision, long revision) implements Result {
    }

    /**
     * Answer to a {@link Operation.Get}: {@code value} {@code null} when the key does not exist;
     * {@code modRevision} the key's mod revision (0: not reported); {@code revision} the header revision
     * (the store's revision when it read).
     */
    record GetResult(String value, long modRevision, long revision) implements Result {
    }

    /**
     * Answer to a {@link Operation.Delete}: {@code deleted} 0 or 1; {@code prevValue} as for
     * {@link PutResult}; {@code revision} the header revision (the deletion's revision when it deleted).
     */
    record DeleteResult(long deleted, String prevValue, long revision) implements Result {
        public DeleteResult {
            if (deleted != 0 && deleted != 1) {
                throw new IllegalArgumentException("a one-key delete deletes 0 or 1 keys, not " + deleted);
            }
        }
    }

    /**
     * Answer to a {@link Operation.CompareAndSet}: whether the comparison held (and the put was done);
     * {@code revision} the header revision (the put's revision when it succeeded).
     */
    record CasResult(boolean succeeded, long revision) implements Result {
    }

    /** Answer to a {@link Operation.LeaseGrant}. */
    record LeaseGranted() implements Result {
    }

    /** Answer to a {@link Operation.LeaseRevoke} of a live lease. */
    record LeaseRevoked() implements Result {
    }

    /**
     * etcd's "etcdserver: requested lease not found", to a revoke or to a put with a lease: a definite
     * answer that the model checks (the lease did not exist), not a failure that did nothing.
     */
    record LeaseNotFound() implements Result {
    }

    static PutResult put(long revision) {
        return new PutResult(null, 0, revision);
    }

    static GetResult get(String value) {
        return new GetResult(value, 0, 0);
    }

    static GetResult get(String value, long modRevision, long revision) {
        return new GetResult(value, modRevision, revision);
    }
}
