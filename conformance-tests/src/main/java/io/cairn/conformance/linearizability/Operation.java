package io.cairn.conformance.linearizability;

import java.util.Objects;

/**
 * What a client asked the store to do: one key-value or lease operation, in etcd's terms but
 * independent of any transport. Keys and values are strings (encode binary keys, e.g. as hex, before
 * recording). Every key operation names one key, so a history can be checked key by key; leases tie
 * keys together (see {@link KvModel#partition}).
 */
public sealed interface Operation {

    /** Whether {@code result} is a possible answer to this operation (its type, not its content). */
    boolean accepts(Result result);

    /**
     * etcd {@code Put}. {@code leaseId} 0 attaches no lease; {@code prevKv} asks for the previous value,
     * which the result then carries (and the model checks).
     */
    record Put(String key, String value, long leaseId, boolean prevKv) implements Operation {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.PutResult || (leaseId != 0 && result instanceof Result.LeaseNotFound);
        }

        @Override
        public String toString() {
            return "put " + key + "=" + value + (leaseId != 0 ? " lease " + leaseId : "") + (prevKv ? " prevKv" : "");
        }
    }

    /** etcd {@code Range} of exactly one key. */
    record Get(String key) implements Operation {
        public Get {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.GetResult;
        }

        @Override
        public String toString() {
            return "get " + key;
        }
    }

    /** etcd {@code DeleteRange} of exactly one key; {@code prevKv} as for {@link Put}. */
    record Delete(String key, boolean prevKv) implements Operation {
        public Delete {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.DeleteResult;
        }

        @Override
        public String toString() {
            return "delete " + key + (prevKv ? " prevKv" : "");
        }
    }

    /**
     * An etcd {@code Txn} of the compare-and-set shape: {@code if (compare on key) then put key=newValue
     * else nothing}.
     */
    record CompareAndSet(String key, Compare compare, String newValue) implements Operation {
        public CompareAndSet {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(compare, "compare");
            Objects.requireNonNull(newValue, "newValue");
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.CasResult;
        }

        @Override
        public String toString() {
            return "cas " + key + " if " + compare + " then " + newValue;
        }
    }

    /** The comparison of a {@link CompareAndSet}, with etcd's meaning for a key that does not exist. */
    sealed interface Compare {
        /** {@code value(key) = expected}; false when the key does not exist (as in etcd). */
        record ValueEquals(String expected) implements Compare {
            public ValueEquals {
                Objects.requireNonNull(expected, "expected");
            }

            @Override
            public String toString() {
                return "value=" + expected;
            }
        }

        /** {@code mod_revision(key) = expected}; a key that does not exist has mod revision 0 (as in etcd). */
        record ModRevisionEquals(long expected) implements Compare {
            @Override
            public String toString() {
                return "mod=" + expected;
            }
        }
    }

    /**
     * etcd {@code LeaseGrant} with an ID chosen by the client (etcd accepts a requested ID): the model
     * needs to know the ID even when the grant's outcome is unknown. Histories must use TTLs long enough
     * that no lease expires during the run; expiry is not modelled.
     */
    record LeaseGrant(long leaseId) implements Operation {
        public LeaseGrant {
            if (leaseId == 0) {
                throw new IllegalArgumentException("lease ID 0 means no lease");
            }
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.LeaseGranted;
        }

        @Override
        public String toString() {
            return "grant lease " + leaseId;
        }
    }

    /** etcd {@code LeaseRevoke}: deletes the lease and every key attached to it. */
    record LeaseRevoke(long leaseId) implements Operation {
        public LeaseRevoke {
            if (leaseId == 0) {
                throw new IllegalArgumentException("lease ID 0 means no lease");
            }
        }

        @Override
        public boolean accepts(Result result) {
            return result instanceof Result.LeaseRevoked || result instanceof Result.LeaseNotFound;
        }

        @Override
        public String toString() {
            return "revoke lease " + leaseId;
        }
    }

    static Put put(String key, String value) {
        return new Put(key, value, 0, false);
    }

    static Put putWithLease(String key, String value, long leaseId) {
        return new Put(key, value, leaseId, false);
    }

    static Get get(String key) {
        return new Get(key);
    }

    static Delete delete(String key) {
        return new Delete(key, false);
    }

    static CompareAndSet casValue(String key, String expected, String newValue) {
        return new CompareAndSet(key, new Compare.ValueEquals(expected), newValue);
    }

    static CompareAndSet casModRevision(String key, long expected, String newValue) {
        return new CompareAndSet(key, new Compare.ModRevisionEquals(expected), newValue);
    }
}
