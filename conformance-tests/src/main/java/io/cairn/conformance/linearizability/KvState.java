package io.cairn.conformance.linearizability;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A state of {@link KvModel}: the keys that exist, the live leases, and the least the store's revision
 * can be. Immutable; keys that do not exist are absent from the map, so equal states are equal records.
 *
 * @param keys          the existing keys
 * @param leases        the live lease IDs
 * @param revisionFloor the highest revision observed by the operations linearized so far (0: none);
 *                      the store's revision is at least this, so a later write must have a higher one and a
 *                      later read must not report a lower one
 */
public record KvState(Map<String, KeyState> keys, Set<Long> leases, long revisionFloor) {

    /** Marks an unknown mod revision. */
    public static final long UNKNOWN_REVISION = -1;

    /** The empty store. */
    public static final KvState EMPTY = new KvState(Map.of(), Set.of(), 0);

    public KvState {
        keys = Map.copyOf(keys);
        leases = Set.copyOf(leases);
    }

    /**
     * One existing key.
     *
     * @param value             its value
     * @param modRevision       its mod revision, or {@link #UNKNOWN_REVISION} when the write that made it did
     *                          not report its revision and nothing observed it since
     * @param modRevisionAbove  when the mod revision is unknown: it is above this (the floor when it was
     *                          written); 0 otherwise
     * @param leaseId           the lease it is attached to, 0 for none
     */
    public record KeyState(String value, long modRevision, long modRevisionAbove, long leaseId) {
        public KeyState {
            Objects.requireNonNull(value, "value");
        }

        boolean modRevisionKnown() {
            return modRevision != UNKNOWN_REVISION;
        }

        /** The least revision that is certainly not below the mod revision. */
        long modRevisionLowerBound() {
            return modRevisionKnown() ? modRevision : modRevisionAbove + 1;
        }

        @Override
        public String toString() {
            return value + "@" + (modRevisionKnown() ? Long.toString(modRevision) : ">" + modRevisionAbove)
                    + (leaseId != 0 ? " lease " + leaseId : "");
        }
    }

    KeyState key(String key) {
        return keys.get(key);
    }

    KvState withKey(String key, KeyState state) {
        Map<String, KeyState> changed = new HashMap<>(keys);
        if (state == null) {
            changed.remove(key);
        } else {
            changed.put(key, state);
        }
        return new KvState(changed, leases, revisionFloor);
    }

    KvState withFloor(long floor) {
        return floor == revisionFloor ? this : new KvState(keys, leases, floor);
    }

    KvState withLease(long leaseId) {
        Set<Long> changed = new HashSet<>(leases);
        changed.add(leaseId);
        return new KvState(keys, changed, revisionFloor);
    }

    /** Without the lease and every key attached to it. */
    KvState revoked(long leaseId) {
        Set<Long> remainingLeases = new HashSet<>(leases);
        remainingLeases.remove(leaseId);
        Map<String, KeyState> remainingKeys = new HashMap<>(keys);
        remainingKeys.values().removeIf(state -> state.leaseId() == leaseId);
        return new KvState(remainingKeys, remainingLeases, revisionFloor);
    }

    @Override
    public String toString() {
        return "{" + new TreeMap<>(keys) + (leases.isEmpty() ? "" : " leases " + new TreeSet<>(leases))
                + (revisionFloor > 0 ? " revision>=" + revisionFloor : "") + "}";
    }
}
