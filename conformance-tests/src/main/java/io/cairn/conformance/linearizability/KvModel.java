package io.cairn.conformance.linearizability;

import io.cairn.conformance.linearizability.KvState.KeyState;
import io.cairn.conformance.linearizability.Operation.Compare;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import static io.cairn.conformance.linearizability.KvState.UNKNOWN_REVISION;

/**
 * The sequential specification of etcd's key-value store, as far as {@link Operation} reaches: values,
 * deletion, compare-and-set, leases that delete their keys when revoked, and revisions.
 *
 * <h2>Revisions</h2>
 * etcd's revision is one counter for the whole store, so the exact revision of a write depends on writes
 * to other keys, which a partition by key cannot see. The model therefore checks what holds within any
 * subset of keys, and is exact about values:
 * <ul>
 * <li>along the linearization, revisions never go down: a write's revision is above every revision
 * observed before it (by any operation of the partition), and a read's header revision is not below
 * them nor below the mod revision of the key it reads;</li>
 * <li>a key's mod revision, once known (reported by the write, or first observed by a read), is what
 * later reads and {@code prevKv}s must report until the next write; a write that did not report its
 * revision leaves it unknown but above the floor at the time of the write;</li>
 * <li>a compare on a mod revision that is unknown may go either way, and its outcome teaches the model.</li>
 * </ul>
 * With {@link #unpartitioned()} the whole history is one partition, so the same rules order revisions
 * across all keys (a write to {@code b} after a write to {@code a} must have the higher revision); this
 * costs search time on large histories. Revisions are never required to be consecutive (leases, compactions
 * and operations outside the history also use revisions).
 *
 * <h2>Partitioning</h2>
 * By lease-connected components: a key is its own partition unless it was ever put with a lease; then it
 * shares a partition with every other key ever put with that lease, and with that lease's grants and
 * revokes (a revoke deletes all of them at once). Keys never attached to a lease are checked one by one.
 *
 * <h2>Not modelled</h2>
 * Lease expiry (use TTLs longer than the run), range reads of several keys, compaction errors,
 * {@code version} and {@code create_revision}.
 */
public final class KvModel implements SequentialModel<KvState> {

    private final boolean partitioned;

    /** The model partitioned by lease-connected components of keys. */
    public KvModel() {
        this(true);
    }

    private KvModel(boolean partitioned) {
        this.partitioned = partitioned;
    }

    /** The model checking the whole history at once, which also orders revisions across keys. */
    public static KvModel unpartitioned() {
        return new KvModel(false);
    }

    @Override
    public KvState initialState() {
        return KvState.EMPTY;
    }

    @Override
    public List<KvState> step(KvState state, Operation operation, Outcome outcome) {
        return switch (outcome) {
            case Outcome.Ok ok -> {
                KvState next = stepOk(state, operation, ok.result());
                yield next == null ? List.of() : List.of(next);
            }
            case Outcome.Unknown unknown -> stepUnknown(state, operation);
            case Outcome.Applied applied -> stepUnknown(state, operation);
            case Outcome.Failed failed -> throw new IllegalArgumentException("failed operations have no effect to model: " + operation);
        };
    }

    /** The state after {@code operation} answered {@code result}, or {@code null} when it cannot have. */
    private static KvState stepOk(KvState state, Operation operation, Result result) {
        return switch (operation) {
            case Operation.Get get -> {
                Result.GetResult read = (Result.GetResult) result;
                KeyState current = state.key(get.key());
                if (!Objects.equals(read.value(), current == null ? null : current.value())) {
                    yield null;
                }
                KvState learned = state;
                if (current != null && read.modRevision() != 0) {
                    KeyState observed = observeModRevision(current, read.modRevision());
                    if (observed == null) {
                        yield null;
                    }
                    learned = state.withKey(get.key(), observed);
                }
                yield observeHeader(learned, get.key(), read.revision());
            }
            case Operation.Put put -> {
                boolean leaseMissing = put.leaseId() != 0 && !state.leases().contains(put.leaseId());
                if (result instanceof Result.LeaseNotFound) {
                    yield leaseMissing ? state : null;
                }
                if (leaseMissing) {
                    yield null;
                }
                Result.PutResult written = (Result.PutResult) result;
                KvState before = state;
                if (put.prevKv()) {
                    before = observePrevious(state, put.key(), written.prevValue(), written.prevModRevision());
                    if (before == null) {
                        yield null;
                    }
                }
                yield write(before, put.key(), put.value(), put.leaseId(), written.revision());
            }
            case Operation.Delete delete -> {
                Result.DeleteResult deleted = (Result.DeleteResult) result;
                KeyState current = state.key(delete.key());
                if (deleted.deleted() != (current == null ? 0 : 1)) {
                    yield null;
                }
                KvState before = state;
                if (delete.prevKv()) {
                    before = observePrevious(state, delete.key(), deleted.prevValue(), 0);
                    if (before == null) {
                        yield null;
                    }
                }
                yield current == null ? observeHeader(before, delete.key(), deleted.revision())
                        : remove(before, delete.key(), deleted.revision());
            }
            case Operation.CompareAndSet cas -> {
                Result.CasResult answer = (Result.CasResult) result;
                KeyState current = state.key(cas.key());
                Boolean holds = compare(current, cas.compare());
                KvState before = state;
                if (holds == null) {
                    // The mod revision was unknown; a success reveals it.
                    if (answer.succeeded()) {
                        long revealed = ((Compare.ModRevisionEquals) cas.compare()).expected();
                        before = state.withKey(cas.key(), new KeyState(current.value(), revealed, 0, current.leaseId()));
                    }
                } else if (holds != answer.succeeded()) {
                    yield null;
                }
                yield answer.succeeded() ? write(before, cas.key(), cas.newValue(), 0, answer.revision())
                        : observeHeader(before, cas.key(), answer.revision());
            }
            case Operation.LeaseGrant grant -> state.leases().contains(grant.leaseId()) ? null : state.withLease(grant.leaseId());
            case Operation.LeaseRevoke revoke -> {
                boolean live = state.leases().contains(revoke.leaseId());
                if (result instanceof Result.LeaseNotFound) {
                    yield live ? null : state;
                }
                yield live ? state.revoked(revoke.leaseId()) : null;
            }
        };
    }

    /** Every state the operation leads to if it took effect, whatever it answered. */
    private static List<KvState> stepUnknown(KvState state, Operation operation) {
        return switch (operation) {
            case Operation.Get get -> List.of(state);
            case Operation.Put put -> put.leaseId() != 0 && !state.leases().contains(put.leaseId())
                    ? List.of(state)
                    : List.of(write(state, put.key(), put.value(), put.leaseId(), 0));
            case Operation.Delete delete -> state.key(delete.key()) == null ? List.of(state) : List.of(remove(state, delete.key(), 0));
            case Operation.CompareAndSet cas -> {
                KeyState current = state.key(cas.key());
                Boolean holds = compare(current, cas.compare());
                if (holds == null) {
                    long revealed = ((Compare.ModRevisionEquals) cas.compare()).expected();
                    KvState matched = state.withKey(cas.key(), new KeyState(current.value(), revealed, 0, current.leaseId()));
                    yield List.of(write(matched, cas.key(), cas.newValue(), 0, 0), state);
                }
                yield holds ? List.of(write(state, cas.key(), cas.newValue(), 0, 0)) : List.of(state);
            }
            case Operation.LeaseGrant grant -> List.of(state.leases().contains(grant.leaseId()) ? state : state.withLease(grant.leaseId()));
            case Operation.LeaseRevoke revoke -> List.of(state.leases().contains(revoke.leaseId()) ? state.revoked(revoke.leaseId()) : state);
        };
    }

    /** Whether the comparison holds; {@code null} when the state does not decide it (unknown mod revision). */
    private static Boolean compare(KeyState current, Compare compare) {
        return switch (compare) {
            case Compare.ValueEquals equals -> current != null && current.value().equals(equals.expected());
            case Compare.ModRevisionEquals equals -> {
                if (current == null) {
                    yield equals.expected() == 0;
                }
                if (current.modRevisionKnown()) {
                    yield current.modRevision() == equals.expected();
                }
                yield equals.expected() > current.modRevisionAbove() ? null : false;
            }
        };
    }

    /** The key's state once its mod revision is observed to be {@code modRevision} (0: not observed), or {@code null}. */
    private static KeyState observeModRevision(KeyState current, long modRevision) {
        if (modRevision == 0) {
            return current;
        }
        if (current.modRevisionKnown()) {
            return current.modRevision() == modRevision ? current : null;
        }
        return modRevision > current.modRevisionAbove() ? new KeyState(current.value(), modRevision, 0, current.leaseId()) : null;
    }

    /** The state once a {@code prevKv} reported {@code prevValue} ({@code null}: absent) with that mod revision. */
    private static KvState observePrevious(KvState state, String key, String prevValue, long prevModRevision) {
        KeyState current = state.key(key);
        if (current == null) {
            return prevValue == null && prevModRevision == 0 ? state : null;
        }
        if (!current.value().equals(prevValue)) {
            return null;
        }
        KeyState observed = observeModRevision(current, prevModRevision);
        return observed == null ? null : state.withKey(key, observed);
    }

    /** The state once a read reported header revision {@code revision} (0: not reported), or {@code null}. */
    private static KvState observeHeader(KvState state, String key, long revision) {
        if (revision == 0) {
            return state;
        }
        KeyState current = state.key(key);
        if (revision < state.revisionFloor() || (current != null && revision < current.modRevisionLowerBound())) {
            return null;
        }
        return state.withFloor(revision);
    }

    /** The revision a new write to {@code key} must exceed. */
    private static long writeFloor(KvState state, String key) {
        KeyState current = state.key(key);
        return Math.max(state.revisionFloor(), current == null ? 0 : current.modRevisionLowerBound());
    }

    /** The state after writing at {@code revision} (0: not reported), or {@code null} when that revision is impossible. */
    private static KvState write(KvState state, String key, String value, long leaseId, long revision) {
        long floor = writeFloor(state, key);
        if (revision == 0) {
            return state.withKey(key, new KeyState(value, UNKNOWN_REVISION, floor, leaseId));
        }
        if (revision <= floor) {
            return null;
        }
        return state.withKey(key, new KeyState(value, revision, 0, leaseId)).withFloor(revision);
    }

    /** The state after deleting an existing key at {@code revision} (0: not reported), or {@code null}. */
    private static KvState remove(KvState state, String key, long revision) {
        if (revision == 0) {
            return state.withKey(key, null);
        }
        if (revision <= writeFloor(state, key)) {
            return null;
        }
        return state.withKey(key, null).withFloor(revision);
    }

    /**
     * Lease-connected components (see the class comment), in the order of their first operation. Reads
     * with an unknown outcome are left out: they changed nothing and revealed nothing.
     */
    @Override
    public List<Partition> partition(List<HistoryEntry> history) {
        List<HistoryEntry> relevant = new ArrayList<>(history.size());
        for (HistoryEntry entry : history) {
            if (!(entry.operation() instanceof Operation.Get && entry.outcome() instanceof Outcome.Unknown)) {
                relevant.add(entry);
            }
        }
        relevant = boundObservedWrites(relevant);
        if (!partitioned) {
            return List.of(new Partition("whole history", relevant));
        }
        Map<String, String> parent = new HashMap<>();
        for (HistoryEntry entry : relevant) {
            if (entry.operation() instanceof Operation.Put put && put.leaseId() != 0) {
                union(parent, keyResource(put.key()), leaseResource(put.leaseId()));
            }
        }
        Map<String, List<HistoryEntry>> components = new LinkedHashMap<>();
        Map<String, TreeSet<String>> keysOf = new HashMap<>();
        Map<String, TreeSet<Long>> leasesOf = new HashMap<>();
        for (HistoryEntry entry : relevant) {
            String resource = resource(entry.operation());
            String root = find(parent, resource);
            components.computeIfAbsent(root, r -> new ArrayList<>()).add(entry);
            switch (entry.operation()) {
                case Operation.LeaseGrant grant -> leasesOf.computeIfAbsent(root, r -> new TreeSet<>()).add(grant.leaseId());
                case Operation.LeaseRevoke revoke -> leasesOf.computeIfAbsent(root, r -> new TreeSet<>()).add(revoke.leaseId());
                case Operation.Put put -> {
                    keysOf.computeIfAbsent(root, r -> new TreeSet<>()).add(put.key());
                    if (put.leaseId() != 0) {
                        leasesOf.computeIfAbsent(root, r -> new TreeSet<>()).add(put.leaseId());
                    }
                }
                default -> keysOf.computeIfAbsent(root, r -> new TreeSet<>()).add(key(entry.operation()));
            }
        }
        List<Partition> partitions = new ArrayList<>(components.size());
        components.forEach((root, entries) -> partitions.add(new Partition(name(keysOf.get(root), leasesOf.get(root)), entries)));
        return partitions;
    }

    private record Written(String key, String value) {
    }

    /**
     * Writes with an unknown outcome whose value, written by no other operation on that key, an
     * acknowledged operation returned (read, {@code prevKv}, or a value compare that held): they took
     * effect before that operation's response, so they become {@link Outcome.Applied} with that response
     * time. This is what keeps the search small when many outcomes are unknown, as etcd's robustness tests
     * do; writes nobody observed stay optional.
     */
    private static List<HistoryEntry> boundObservedWrites(List<HistoryEntry> history) {
        Map<Written, Integer> writers = new HashMap<>();
        for (HistoryEntry entry : history) {
            Written written = written(entry.operation());
            if (written != null) {
                writers.merge(written, 1, Integer::sum);
            }
        }
        Map<Written, HistoryEntry> firstObserver = new HashMap<>();
        for (HistoryEntry entry : history) {
            Written observed = observed(entry);
            if (observed != null) {
                firstObserver.merge(observed, entry, (a, b) -> a.responseNanos() <= b.responseNanos() ? a : b);
            }
        }
        List<HistoryEntry> bounded = new ArrayList<>(history.size());
        for (HistoryEntry entry : history) {
            Written written = written(entry.operation());
            HistoryEntry observer = written == null ? null : firstObserver.get(written);
            if (entry.outcome() instanceof Outcome.Unknown && observer != null && writers.get(written) == 1) {
                bounded.add(new HistoryEntry(entry.id(), entry.clientId(), entry.invokeNanos(),
                        Math.max(entry.invokeNanos(), observer.responseNanos()), entry.operation(),
                        new Outcome.Applied("its value was returned by #" + observer.id())));
            } else {
                bounded.add(entry);
            }
        }
        return bounded;
    }

    private static Written written(Operation operation) {
        return switch (operation) {
            case Operation.Put put -> new Written(put.key(), put.value());
            case Operation.CompareAndSet cas -> new Written(cas.key(), cas.newValue());
            default -> null;
        };
    }

    private static Written observed(HistoryEntry entry) {
        if (!(entry.outcome() instanceof Outcome.Ok ok)) {
            return null;
        }
        return switch (entry.operation()) {
            case Operation.Get get when ok.result() instanceof Result.GetResult read && read.value() != null -> new Written(get.key(), read.value());
            case Operation.Put put when put.prevKv() && ok.result() instanceof Result.PutResult written && written.prevValue() != null ->
                    new Written(put.key(), written.prevValue());
            case Operation.Delete delete when delete.prevKv() && ok.result() instanceof Result.DeleteResult deleted && deleted.prevValue() != null ->
                    new Written(delete.key(), deleted.prevValue());
            case Operation.CompareAndSet cas when cas.compare() instanceof Compare.ValueEquals equals
                    && ok.result() instanceof Result.CasResult answer && answer.succeeded() -> new Written(cas.key(), equals.expected());
            default -> null;
        };
    }

    private static String name(TreeSet<String> keys, TreeSet<Long> leases) {
        StringBuilder name = new StringBuilder();
        if (keys != null) {
            if (keys.size() == 1) {
                name.append("key ").append(keys.first());
            } else {
                List<String> shown = keys.stream().limit(10).toList();
                name.append("keys ").append(shown);
                if (keys.size() > shown.size()) {
                    name.append(" and ").append(keys.size() - shown.size()).append(" more");
                }
            }
        }
        if (leases != null) {
            name.append(name.isEmpty() ? "" : " with ").append(leases.size() == 1 ? "lease " + leases.first() : "leases " + leases);
        }
        return name.toString();
    }

    private static String key(Operation operation) {
        return switch (operation) {
            case Operation.Put put -> put.key();
            case Operation.Get get -> get.key();
            case Operation.Delete delete -> delete.key();
            case Operation.CompareAndSet cas -> cas.key();
            case Operation.LeaseGrant grant -> throw new IllegalArgumentException("a lease operation names no key");
            case Operation.LeaseRevoke revoke -> throw new IllegalArgumentException("a lease operation names no key");
        };
    }

    private static String resource(Operation operation) {
        return switch (operation) {
            case Operation.LeaseGrant grant -> leaseResource(grant.leaseId());
            case Operation.LeaseRevoke revoke -> leaseResource(revoke.leaseId());
            default -> keyResource(key(operation));
        };
    }

    private static String keyResource(String key) {
        return "k" + key;
    }

    private static String leaseResource(long leaseId) {
        return "l" + leaseId;
    }

    private static String find(Map<String, String> parent, String resource) {
        String root = resource;
        while (parent.containsKey(root)) {
            root = parent.get(root);
        }
        // Path compression keeps later look-ups short.
        String node = resource;
        while (parent.containsKey(node)) {
            String next = parent.get(node);
            parent.put(node, root);
            node = next;
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String rootA = find(parent, a);
        String rootB = find(parent, b);
        if (!rootA.equals(rootB)) {
            parent.put(rootA, rootB);
        }
    }

    @Override
    public String describe(KvState state) {
        return state.toString();
    }

    @Override
    public String toString() {
        return partitioned ? "KvModel (partitioned by lease-connected keys)" : "KvModel (unpartitioned)";
    }
}
