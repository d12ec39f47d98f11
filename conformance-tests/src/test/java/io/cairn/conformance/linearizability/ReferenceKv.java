package io.cairn.conformance.linearizability;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A plain sequential etcd-like store (one global revision, leases that delete their keys), written
 * independently of {@link KvModel}: the tests run operations on it and require the checker to accept
 * what it answered. Not thread-safe.
 */
final class ReferenceKv {

    private record Stored(String value, long modRevision, long leaseId) {
    }

    private final Map<String, Stored> keys = new HashMap<>();
    private final Set<Long> leases = new HashSet<>();
    private long revision = 1; // etcd starts at revision 1

    Result apply(Operation operation) {
        return switch (operation) {
            case Operation.Put put -> {
                if (put.leaseId() != 0 && !leases.contains(put.leaseId())) {
                    yield new Result.LeaseNotFound();
                }
                Stored previous = keys.get(put.key());
                keys.put(put.key(), new Stored(put.value(), ++revision, put.leaseId()));
                yield new Result.PutResult(put.prevKv() && previous != null ? previous.value() : null,
                        put.prevKv() && previous != null ? previous.modRevision() : 0, revision);
            }
            case Operation.Get get -> {
                Stored stored = keys.get(get.key());
                yield stored == null ? new Result.GetResult(null, 0, revision) : new Result.GetResult(stored.value(), stored.modRevision(), revision);
            }
            case Operation.Delete delete -> {
                Stored previous = keys.remove(delete.key());
                if (previous != null) {
                    revision++;
                }
                yield new Result.DeleteResult(previous == null ? 0 : 1, delete.prevKv() && previous != null ? previous.value() : null, revision);
            }
            case Operation.CompareAndSet cas -> {
                Stored stored = keys.get(cas.key());
                boolean holds = switch (cas.compare()) {
                    case Operation.Compare.ValueEquals equals -> stored != null && stored.value().equals(equals.expected());
                    case Operation.Compare.ModRevisionEquals equals -> (stored == null ? 0 : stored.modRevision()) == equals.expected();
                };
                if (holds) {
                    keys.put(cas.key(), new Stored(cas.newValue(), ++revision, 0));
                }
                yield new Result.CasResult(holds, revision);
            }
            case Operation.LeaseGrant grant -> {
                if (!leases.add(grant.leaseId())) {
                    throw new IllegalStateException("lease " + grant.leaseId() + " already exists");
                }
                yield new Result.LeaseGranted();
            }
            case Operation.LeaseRevoke revoke -> {
                if (!leases.remove(revoke.leaseId())) {
                    yield new Result.LeaseNotFound();
                }
                if (keys.values().removeIf(stored -> stored.leaseId() == revoke.leaseId())) {
                    revision++;
                }
                yield new Result.LeaseRevoked();
            }
        };
    }

    /** The current value of {@code key}, {@code null} when absent. */
    String value(String key) {
        Stored stored = keys.get(key);
        return stored == null ? null : stored.value();
    }

    /** The current mod revision of {@code key}, 0 when absent. */
    long modRevision(String key) {
        Stored stored = keys.get(key);
        return stored == null ? 0 : stored.modRevision();
    }

    Set<Long> leases() {
        return Set.copyOf(leases);
    }
}
