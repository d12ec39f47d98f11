package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.KeyValue;
import io.cairn.api.ResponseHeader;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.DeleteRangeResponse;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.PutResponse;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.watch.Event;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * A deliberately simple model of etcd's MVCC: a list of every version ever written, searched
 * linearly; compaction only moves the floor below which reads fail. Slow and obviously right
 * (the oracle of {@link ModelComparisonTest}). Request checks ({@link KvRequestChecks}) are shared
 * with the store: this models the state machine, not the validation.
 */
final class EtcdModel {

    /** One version: a put, or a deletion (tombstone). */
    record Version(Bytes key, long main, long sub, boolean deleted, long create, long version, long lease, Bytes value) {
        KeyValue kv() {
            return deleted ? new KeyValue(key, 0, main, 0, Bytes.EMPTY, 0) : new KeyValue(key, create, main, version, value, lease);
        }
    }

    final List<Version> history = new ArrayList<>();
    final List<Event> lastEvents = new ArrayList<>();
    long revision = 1;
    long compactRevision = -1;
    private final LongPredicate leaseExists;

    // state of the write in progress
    private long sub;

    EtcdModel(LongPredicate leaseExists) {
        this.leaseExists = leaseExists;
    }

    private static ResponseHeader header(long revision) {
        return new ResponseHeader(0, 0, revision, 0);
    }

    /** The newest version of {@code key} at or below {@code rev} (tombstones included), or null. */
    private Version newest(Bytes key, long rev) {
        Version best = null;
        for (Version v : history) {
            if (v.key().equals(key) && v.main() <= rev
                    && (best == null || v.main() > best.main() || v.main() == best.main() && v.sub() > best.sub())) {
                best = v;
            }
        }
        return best;
    }

    private List<Version> live(KeyRange range, long rev) {
        TreeMap<Bytes, Version> byKey = new TreeMap<>();
        for (Version v : history) {
            if (v.main() <= rev && range.contains(v.key()) && !v.key().isEmpty()) {
                byKey.merge(v.key(), v, (a, c) -> c.main() > a.main() || c.main() == a.main() && c.sub() > a.sub() ? c : a);
            }
        }
        return byKey.values().stream().filter(v -> !v.deleted()).toList();
    }

    private boolean writing() {
        return sub > 0;
    }

    private long readRev() {
        return writing() ? revision + 1 : revision;
    }

    RangeResponse range(RangeRequest r) {
        KvRequestChecks.checkRange(r);
        RangeResponse response = rangeIn(r);
        return new RangeResponse(header(revision), response.kvs(), response.more(), response.count());
    }

    private RangeResponse rangeIn(RangeRequest r) {
        long current = readRev();
        if (r.revision() > current) {
            throw new CairnException(ErrorCode.FUTURE_REVISION);
        }
        long rev = r.revision() == 0 ? current : r.revision();
        if (rev < compactRevision) {
            throw new CompactedException(compactRevision);
        }
        List<Version> all = live(r.keyRange(), rev);
        boolean fetchAll = r.sortOrder() != RangeRequest.SortOrder.NONE || r.minModRevision() != 0 || r.maxModRevision() != 0
                || r.minCreateRevision() != 0 || r.maxCreateRevision() != 0;
        List<KeyValue> kvs = new ArrayList<>();
        if (!r.countOnly()) {
            for (Version v : all) {
                if (!fetchAll && r.limit() > 0 && kvs.size() == r.limit() + 1) {
                    break;
                }
                kvs.add(v.kv());
            }
        }
        kvs.removeIf(kv -> r.maxModRevision() != 0 && kv.modRevision() > r.maxModRevision()
                || r.minModRevision() != 0 && kv.modRevision() < r.minModRevision()
                || r.maxCreateRevision() != 0 && kv.createRevision() > r.maxCreateRevision()
                || r.minCreateRevision() != 0 && kv.createRevision() < r.minCreateRevision());
        boolean descend = r.sortOrder() == RangeRequest.SortOrder.DESCEND;
        if (r.sortTarget() != RangeRequest.SortTarget.KEY || descend) {
            Comparator<KeyValue> by = switch (r.sortTarget()) {
                case KEY -> Comparator.comparing(KeyValue::key);
                case VERSION -> Comparator.comparingLong(KeyValue::version);
                case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
                case MOD -> Comparator.comparingLong(KeyValue::modRevision);
                case VALUE -> Comparator.comparing(KeyValue::value);
            };
            kvs.sort(descend ? by.reversed() : by);
        }
        boolean more = false;
        if (r.limit() > 0 && kvs.size() > r.limit()) {
            kvs = new ArrayList<>(kvs.subList(0, (int) r.limit()));
            more = true;
        }
        if (r.keysOnly()) {
            kvs.replaceAll(kv -> new KeyValue(kv.key(), kv.createRevision(), kv.modRevision(), kv.version(), Bytes.EMPTY, kv.lease()));
        }
        return new RangeResponse(header(0), kvs, more, all.size());
    }

    PutResponse put(PutRequest p) {
        KvRequestChecks.checkPut(p);
        if (p.lease() != 0 && !leaseExists.test(p.lease())) {
            throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
        }
        lastEvents.clear();
        PutResponse response = putIn(p);
        finish();
        return new PutResponse(header(revision), response.prevKv());
    }

    private PutResponse putIn(PutRequest p) {
        Version prev = newest(p.key(), readRev());
        boolean existed = prev != null && !prev.deleted();
        if ((p.ignoreValue() || p.ignoreLease()) && !existed) {
            throw new CairnException(ErrorCode.KEY_NOT_FOUND);
        }
        long rev = revision + 1;
        Version v = new Version(p.key(), rev, sub++, false, existed ? prev.create() : rev, existed ? prev.version() + 1 : 1,
                p.ignoreLease() ? prev.lease() : p.lease(), p.ignoreValue() ? prev.value() : p.value());
        history.add(v);
        lastEvents.add(new Event(Event.Type.PUT, v.kv(), existed ? Optional.of(prev.kv()) : Optional.empty()));
        return new PutResponse(header(0), p.prevKv() && existed ? Optional.of(prev.kv()) : Optional.empty());
    }

    DeleteRangeResponse deleteRange(DeleteRangeRequest d) {
        KvRequestChecks.checkDeleteRange(d);
        lastEvents.clear();
        DeleteRangeResponse response = deleteIn(d);
        finish();
        return new DeleteRangeResponse(header(revision), response.deleted(), response.prevKvs());
    }

    private DeleteRangeResponse deleteIn(DeleteRangeRequest d) {
        List<Version> doomed = live(d.keyRange(), readRev());
        long rev = revision + 1;
        for (Version prev : doomed) {
            Version tombstone = new Version(prev.key(), rev, sub++, true, 0, 0, 0, Bytes.EMPTY);
            history.add(tombstone);
            lastEvents.add(new Event(Event.Type.DELETE, tombstone.kv(), Optional.of(prev.kv())));
        }
        return new DeleteRangeResponse(header(0), doomed.size(),
                d.prevKv() ? doomed.stream().map(Version::kv).toList() : List.of());
    }

    TxnResponse txn(TxnRequest t, int maxTxnOps) {
        KvRequestChecks.checkTxn(t, maxTxnOps);
        lastEvents.clear();
        // decide the whole path first, on the state before the transaction
        List<Boolean> path = new ArrayList<>();
        decide(t, path);
        check(t, path, new int[] {0});
        TxnResponse response = run(t, path, new int[] {0});
        finish();
        return (TxnResponse) Responses.restamp(response, header(revision));
    }

    private void decide(TxnRequest t, List<Boolean> path) {
        boolean ok = t.compare().stream().allMatch(this::holds);
        path.add(ok);
        for (RequestOp op : ok ? t.success() : t.failure()) {
            if (op instanceof TxnRequest nested) {
                decide(nested, path);
            }
        }
    }

    private void check(TxnRequest t, List<Boolean> path, int[] at) {
        for (RequestOp op : path.get(at[0]++) ? t.success() : t.failure()) {
            if (op instanceof RangeRequest r) {
                if (r.revision() > revision) {
                    throw new CairnException(ErrorCode.FUTURE_REVISION);
                }
                if (r.revision() != 0 && r.revision() < compactRevision) {
                    throw new CompactedException(compactRevision);
                }
            } else if (op instanceof PutRequest p) {
                Version prev = newest(p.key(), revision);
                if ((p.ignoreValue() || p.ignoreLease()) && (prev == null || prev.deleted())) {
                    throw new CairnException(ErrorCode.KEY_NOT_FOUND);
                }
                if (p.lease() != 0 && !leaseExists.test(p.lease())) {
                    throw new CairnException(ErrorCode.LEASE_NOT_FOUND);
                }
            } else if (op instanceof TxnRequest nested) {
                check(nested, path, at);
            }
        }
    }

    private TxnResponse run(TxnRequest t, List<Boolean> path, int[] at) {
        boolean ok = path.get(at[0]++);
        List<ResponseOp> responses = new ArrayList<>();
        for (RequestOp op : ok ? t.success() : t.failure()) {
            responses.add(switch (op) {
                case RangeRequest r -> rangeIn(r);
                case PutRequest p -> putIn(p);
                case DeleteRangeRequest d -> deleteIn(d);
                case TxnRequest nested -> run(nested, path, at);
            });
        }
        return new TxnResponse(header(0), ok, responses);
    }

    private boolean holds(Compare c) {
        List<Version> versions = live(c.keyRange(), revision);
        if (versions.isEmpty()) {
            return c.target() != Compare.Target.VALUE && satisfies(c, 0, Bytes.EMPTY);
        }
        for (Version v : versions) {
            long number = switch (c.target()) {
                case VERSION -> v.version();
                case CREATE -> v.create();
                case MOD -> v.main();
                case LEASE -> v.lease();
                case VALUE -> 0;
            };
            if (!satisfies(c, number, v.value())) {
                return false;
            }
        }
        return true;
    }

    private static boolean satisfies(Compare c, long number, Bytes value) {
        int result = c.target() == Compare.Target.VALUE ? Integer.signum(value.compareTo(c.value()))
                : Long.compare(number, c.number());
        return switch (c.result()) {
            case EQUAL -> result == 0;
            case NOT_EQUAL -> result != 0;
            case GREATER -> result > 0;
            case LESS -> result < 0;
        };
    }

    /** Deletes every live key attached to {@code lease}, in key order, at one revision; returns how many. */
    long revoke(long lease) {
        lastEvents.clear();
        long rev = revision + 1;
        List<Version> doomed = live(KeyRange.all(), revision).stream().filter(v -> v.lease() == lease).toList();
        for (Version prev : doomed) {
            Version tombstone = new Version(prev.key(), rev, sub++, true, 0, 0, 0, Bytes.EMPTY);
            history.add(tombstone);
            lastEvents.add(new Event(Event.Type.DELETE, tombstone.kv(), Optional.of(prev.kv())));
        }
        finish();
        return doomed.size();
    }

    void compact(long rev) {
        if (rev <= compactRevision) {
            throw new CompactedException(Math.max(compactRevision, 0));
        }
        if (rev > revision) {
            throw new CairnException(ErrorCode.FUTURE_REVISION);
        }
        compactRevision = rev;
    }

    /** Events of revisions [from, to], with prevKv, as the store replays them (from above the compact revision). */
    List<Event> events(long from, long to) {
        List<Event> events = new ArrayList<>();
        List<Version> ordered = new ArrayList<>(history);
        ordered.sort(Comparator.comparingLong(Version::main).thenComparingLong(Version::sub));
        for (Version v : ordered) {
            if (v.main() < from || v.main() > to) {
                continue;
            }
            Version prev = null;
            for (Version candidate : ordered) {
                if (candidate.key().equals(v.key())
                        && (candidate.main() < v.main() || candidate.main() == v.main() && candidate.sub() < v.sub())) {
                    prev = candidate;
                }
            }
            Optional<KeyValue> prevKv = prev == null || prev.deleted() ? Optional.empty() : Optional.of(prev.kv());
            events.add(new Event(v.deleted() ? Event.Type.DELETE : Event.Type.PUT, v.kv(), prevKv));
        }
        return events;
    }

    private void finish() {
        if (sub > 0) {
            revision++;
        }
        sub = 0;
    }

    /** Drops the effects of a write that failed half-way (the store applies nothing of it). */
    void rollback() {
        long rev = revision + 1;
        history.removeIf(v -> v.main() == rev);
        lastEvents.clear();
        sub = 0;
    }
}
