package io.cairn.transport.http;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.ResponseOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.kv.TxnResponse;
import io.cairn.api.lease.LeaseGrantRequest;
import io.cairn.api.lease.LeaseRevokeRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * etcd 2.3's key store (the semantics of its {@code store} package: set, create, update,
 * compare-and-swap, delete, compare-and-delete, get with listings) on the v3 {@link Cairn}, as
 * V2.md describes: one v3 key per node under {@link V2Node#PREFIX}, index = v3 revision, TTLs as
 * leases, and every write one v3 transaction guarded by the {@link V2Node#ACTION_KEY}'s revision
 * and those of the keys it read, retried when another write got there first.
 *
 * <p>Threading: every method blocks its caller until the store answered (the HTTP layer calls it
 * from stream threads, never from I/O threads); safe from any number of threads.
 */
final class V2Store {

    /** What a v2 request returns: etcd's event. {@code created} selects HTTP 201. */
    record Result(String action, ObjectNode node, ObjectNode prevNode, long index, long raftTerm, boolean created) {
        Result withTerm(long term) {
            return new Result(action, node, prevNode, index, term, created);
        }
    }

    private static final int MAX_ATTEMPTS = 50;
    private static final long CALL_TIMEOUT_SECONDS = 30;

    private final Cairn cairn;

    V2Store(Cairn cairn) {
        this.cairn = cairn;
    }

    Cairn cairn() {
        return cairn;
    }

    // ---- reading ----

    /** The nodes at {@code paths} (absent: not in the map) and the action key, at one revision. */
    private record Snapshot(long revision, long raftTerm, long actionModRevision, Map<String, KeyValue> kvs,
            long childCount) {
        V2Node node(String path) {
            KeyValue kv = kvs.get(path);
            return kv == null ? null : V2Node.decode(kv);
        }

        long modRevision(String path) {
            KeyValue kv = kvs.get(path);
            return kv == null ? 0 : kv.modRevision();
        }
    }

    private Snapshot read(String path, boolean countChildren) {
        List<String> paths = new ArrayList<>(ancestors(path));
        if (!path.equals("/")) {
            paths.add(path);
        }
        List<RequestOp> ops = new ArrayList<>();
        ops.add(RangeRequest.of(V2Node.ACTION_KEY));
        for (String p : paths) {
            ops.add(RangeRequest.of(V2Node.key(p)));
        }
        if (countChildren) {
            ops.add(RangeRequest.prefix(V2Node.childrenPrefix(path)).withCountOnly(true));
        }
        TxnResponse answer = await(cairn.kv().txn(new TxnRequest(List.of(), ops, List.of())));
        List<ResponseOp> responses = answer.responses();
        RangeResponse action = (RangeResponse) responses.get(0);
        Map<String, KeyValue> kvs = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            RangeResponse range = (RangeResponse) responses.get(i + 1);
            if (!range.kvs().isEmpty()) {
                kvs.put(paths.get(i), range.kvs().get(0));
            }
        }
        long children = countChildren ? ((RangeResponse) responses.get(responses.size() - 1)).count() : 0;
        return new Snapshot(answer.header().revision(), answer.header().raftTerm(),
                action.kvs().isEmpty() ? 0 : action.kvs().get(0).modRevision(), kvs, children);
    }

    /**
     * The existing node at {@code path}, or etcd's error for walking to it: 104 naming the first
     * ancestor that is a file, or 100 naming the first path element that does not exist.
     */
    private static V2Node existing(Snapshot snapshot, String path) {
        for (String ancestor : ancestors(path)) {
            V2Node node = snapshot.node(ancestor);
            if (node == null) {
                throw new V2Error(V2Error.KEY_NOT_FOUND, ancestor, snapshot.revision());
            }
            if (!node.dir()) {
                throw new V2Error(V2Error.NOT_DIR, ancestor, snapshot.revision());
            }
        }
        V2Node node = snapshot.node(path);
        if (node == null) {
            throw new V2Error(V2Error.KEY_NOT_FOUND, path, snapshot.revision());
        }
        return node;
    }

    /** The current index (the store's revision). */
    long currentIndex() {
        return await(cairn.kv().range(RangeRequest.of(V2Node.ACTION_KEY).withCountOnly(true))).header().revision();
    }

    /**
     * The number of v2 writes with an index up to {@code revision}: the version the action key had there
     * (every v2 write puts it once). 0 before the first v2 write.
     *
     * @throws CompactedException if {@code revision} is compacted
     */
    long v2WritesUpTo(long revision) {
        if (revision <= 0) {
            return 0;
        }
        try {
            RangeResponse read = cairn.kv().range(RangeRequest.of(V2Node.ACTION_KEY).withRevision(revision))
                    .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return read.kvs().isEmpty() ? 0 : read.kvs().get(0).version();
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof CompactedException compacted) {
                throw compacted;
            }
            return await(CompletableFuture.failedFuture(failed.getCause()));
        } catch (InterruptedException | TimeoutException failed) {
            return await(CompletableFuture.failedFuture(failed));
        }
    }

    /**
     * The index of the oldest of the last {@code window} v2 writes up to {@code current}, found by bisecting
     * revisions in {@code (after, current]} on the action key's version; {@code after + 1} if that history is
     * compacted.
     */
    long oldestOfLastWrites(long window, long after, long current) {
        long wanted = v2WritesUpTo(current) - window + 1; // the version of the write sought
        long low = after + 1;
        long high = current;
        try {
            while (low < high) {
                long middle = low + (high - low) / 2;
                if (v2WritesUpTo(middle) >= wanted) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
        } catch (CompactedException compacted) {
            return after + 1;
        }
        return low;
    }

    /** GET: a file, or a directory with its children (all levels if {@code recursive}), sorted by key. */
    Result get(String path, boolean recursive, boolean quorum) {
        Snapshot snapshot = read(path, false);
        long now = System.currentTimeMillis();
        ObjectNode json;
        if (path.equals("/")) {
            json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            json.put("dir", true);
            json.putArray("nodes");
        } else {
            V2Node node = existing(snapshot, path);
            json = node.toJson(now, true);
            if (!node.dir()) {
                return new Result("get", json, null, snapshot.revision(), snapshot.raftTerm(), false);
            }
        }
        RangeResponse subtree = await(cairn.kv().range(RangeRequest.prefix(V2Node.childrenPrefix(path))
                .withRevision(snapshot.revision()).withSerializable(!quorum)));
        addChildren(json, path, subtree.kvs(), recursive, now);
        return new Result("get", json, null, snapshot.revision(), snapshot.raftTerm(), false);
    }

    /**
     * Adds the listing of {@code path} to its JSON: its children (hidden ones, named "_...", left
     * out as etcd does), and with {@code recursive} theirs, in key order. {@code kvs} is the whole
     * subtree in key order, so a parent comes before its children.
     */
    private static void addChildren(ObjectNode json, String path, List<KeyValue> kvs, boolean recursive, long now) {
        Map<String, ObjectNode> dirs = new LinkedHashMap<>();
        dirs.put(path, json);
        int depth = depth(path);
        for (KeyValue kv : kvs) {
            V2Node child = V2Node.decode(kv);
            if (child == null || child.name().startsWith("_")) {
                continue;
            }
            int childDepth = depth(child.path());
            if (!recursive && childDepth != depth + 1) {
                continue;
            }
            ObjectNode parent = dirs.get(parentOf(child.path()));
            if (parent == null) {
                continue; // under a hidden directory (or a record that is not a v2 node)
            }
            ObjectNode childJson = child.toJson(now, true);
            ((ArrayNode) parent.get("nodes")).add(childJson);
            if (child.dir()) {
                dirs.put(child.path(), childJson);
            }
        }
        for (ObjectNode dir : dirs.values()) {
            if (dir.get("nodes").isEmpty()) {
                dir.remove("nodes"); // etcd leaves out an empty listing
            }
        }
    }

    // ---- writing ----

    /** What a write does, decided from one snapshot. */
    private final class Plan {
        final List<RequestOp> ops = new ArrayList<>();
        final List<Long> grantedLeases = new ArrayList<>();
        final List<Long> leasesToRevoke = new ArrayList<>();
        String action;
        String path;
        boolean refresh;
        /** The JSON of the result, given the revision the write got. */
        java.util.function.LongFunction<Result> result;
    }

    private interface Decision {
        void decide(Snapshot snapshot, Plan plan);
    }

    private Result write(String path, boolean countChildren, Decision decision) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Snapshot snapshot = read(path, countChildren);
            Plan plan = new Plan();
            try {
                decision.decide(snapshot, plan);
            } catch (RuntimeException refused) {
                revoke(plan.grantedLeases);
                throw refused;
            }
            List<Compare> compares = new ArrayList<>();
            compares.add(Compare.modRevision(V2Node.ACTION_KEY, Compare.Result.EQUAL, snapshot.actionModRevision()));
            for (String p : snapshot.kvs().keySet()) {
                compares.add(Compare.modRevision(V2Node.key(p), Compare.Result.EQUAL, snapshot.modRevision(p)));
            }
            for (String p : pathAndAncestors(path)) {
                if (!snapshot.kvs().containsKey(p)) {
                    compares.add(Compare.modRevision(V2Node.key(p), Compare.Result.EQUAL, 0));
                }
            }
            List<RequestOp> ops = new ArrayList<>(plan.ops);
            String record = plan.action + "\n" + plan.path + (plan.refresh ? "\nrefresh" : "");
            ops.add(PutRequest.of(V2Node.ACTION_KEY, Bytes.fromUtf8(record)));
            TxnResponse answer;
            try {
                answer = await(cairn.kv().txn(new TxnRequest(compares, ops, List.of())));
            } catch (RuntimeException failed) {
                revoke(plan.grantedLeases);
                throw failed;
            }
            if (answer.succeeded()) {
                revoke(plan.leasesToRevoke);
                return plan.result.apply(answer.header().revision()).withTerm(answer.header().raftTerm());
            }
            revoke(plan.grantedLeases);
        }
        throw new V2Error(V2Error.RAFT_INTERNAL, "too many concurrent writes; try again", 0);
    }

    /** PUT without conditions: etcd's {@code set}. */
    Result set(String path, boolean dir, String value, Long ttl, boolean refresh) {
        return write(path, false, (snapshot, plan) -> {
            checkWritable(snapshot, path);
            V2Node previous = snapshot.node(path);
            if (refresh && previous == null) {
                throw new V2Error(V2Error.KEY_NOT_FOUND, path, snapshot.revision());
            }
            if (previous != null && previous.dir()) {
                throw new V2Error(V2Error.NOT_FILE, path, snapshot.revision());
            }
            boolean asDir = refresh ? previous.dir() : dir;
            String newValue = refresh ? previous.value() : (asDir ? "" : value);
            putNode(snapshot, plan, path, asDir, newValue, ttl, refresh, previous, refresh ? previous.createdIndex() : 0);
            plan.action = "set";
        });
    }

    /** PUT with prevExist=false, or POST ({@code unique}: a new key named by the index under the directory). */
    Result create(String path, boolean dir, String value, Long ttl, boolean unique) {
        return write(path, false, (snapshot, plan) -> {
            String target = unique ? (path.equals("/") ? "" : path) + "/" + String.format("%020d", snapshot.revision() + 1)
                    : path;
            if (!unique) {
                checkWritable(snapshot, path);
            } else if (!path.equals("/")) {
                V2Node parent = snapshot.node(path);
                checkAncestorsAreDirs(snapshot, path);
                if (parent != null && !parent.dir()) {
                    throw new V2Error(V2Error.NOT_DIR, path, snapshot.revision());
                }
            }
            if (!unique && snapshot.node(path) != null) {
                throw new V2Error(V2Error.NODE_EXIST, path, snapshot.revision());
            }
            putNode(snapshot, plan, target, dir, dir ? "" : value, ttl, false, null, 0);
            plan.action = "create";
        });
    }

    /** PUT with prevExist=true and no other condition: etcd's {@code update}. */
    Result update(String path, String value, Long ttl, boolean refresh) {
        return write(path, false, (snapshot, plan) -> {
            checkRoot(path, snapshot);
            V2Node previous = existing(snapshot, path);
            if (previous.dir() && !value.isEmpty()) {
                throw new V2Error(V2Error.NOT_FILE, path, snapshot.revision());
            }
            String newValue = refresh || previous.dir() ? previous.value() : value;
            putNode(snapshot, plan, path, previous.dir(), newValue, ttl, refresh, previous, previous.createdIndex());
            plan.action = "update";
        });
    }

    /** PUT with prevValue and/or prevIndex. */
    Result compareAndSwap(String path, String prevValue, long prevIndex, String value, Long ttl, boolean refresh) {
        return write(path, false, (snapshot, plan) -> {
            checkRoot(path, snapshot);
            V2Node previous = existing(snapshot, path);
            if (previous.dir()) {
                throw new V2Error(V2Error.NOT_FILE, path, snapshot.revision());
            }
            compare(previous, prevValue, prevIndex, snapshot.revision());
            String newValue = refresh ? previous.value() : value;
            putNode(snapshot, plan, path, false, newValue, ttl, refresh, previous, previous.createdIndex());
            plan.action = "compareAndSwap";
        });
    }

    /** DELETE without conditions: a file, or a directory with dir=true (recursive=true if not empty). */
    Result delete(String path, boolean dir, boolean recursive) {
        boolean asDir = dir || recursive;
        return write(path, true, (snapshot, plan) -> {
            checkRoot(path, snapshot);
            V2Node previous = existing(snapshot, path);
            if (previous.dir()) {
                if (!asDir) {
                    throw new V2Error(V2Error.NOT_FILE, path, snapshot.revision());
                }
                if (snapshot.childCount() > 0 && !recursive) {
                    throw new V2Error(V2Error.DIR_NOT_EMPTY, path, snapshot.revision());
                }
            }
            deleteNode(plan, previous, "delete");
        });
    }

    /** DELETE with prevValue and/or prevIndex: files only. */
    Result compareAndDelete(String path, String prevValue, long prevIndex) {
        return write(path, false, (snapshot, plan) -> {
            checkRoot(path, snapshot);
            V2Node previous = existing(snapshot, path);
            if (previous.dir()) {
                throw new V2Error(V2Error.NOT_FILE, path, snapshot.revision());
            }
            compare(previous, prevValue, prevIndex, snapshot.revision());
            deleteNode(plan, previous, "compareAndDelete");
        });
    }

    private void deleteNode(Plan plan, V2Node previous, String action) {
        plan.ops.add(DeleteRangeRequest.of(V2Node.key(previous.path())));
        if (previous.dir()) {
            plan.ops.add(DeleteRangeRequest.prefix(V2Node.childrenPrefix(previous.path())));
        }
        if (previous.ownLease() && previous.lease() != 0) {
            plan.leasesToRevoke.add(previous.lease());
        }
        plan.action = action;
        plan.path = previous.path();
        long now = System.currentTimeMillis();
        plan.result = revision -> {
            ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            node.put("key", previous.path());
            if (previous.dir()) {
                node.put("dir", true);
            }
            node.put("modifiedIndex", revision);
            node.put("createdIndex", previous.createdIndex());
            return new Result(action, node, previous.toJson(now), revision, 0, false);
        };
    }

    /** etcd's compare: an empty prevValue or a zero prevIndex matches anything; the cause says what did not match. */
    private static void compare(V2Node node, String prevValue, long prevIndex, long index) {
        boolean indexMatch = prevIndex == 0 || node.modifiedIndex() == prevIndex;
        boolean valueMatch = prevValue.isEmpty() || node.value().equals(prevValue);
        if (indexMatch && valueMatch) {
            return;
        }
        String cause;
        if (!indexMatch && !valueMatch) {
            cause = "[" + prevValue + " != " + node.value() + "] [" + prevIndex + " != " + node.modifiedIndex() + "]";
        } else if (!indexMatch) {
            cause = "[" + prevIndex + " != " + node.modifiedIndex() + "]";
        } else {
            cause = "[" + prevValue + " != " + node.value() + "]";
        }
        throw new V2Error(V2Error.TEST_FAILED, cause, index);
    }

    private static void checkRoot(String path, Snapshot snapshot) {
        if (path.equals("/")) {
            throw new V2Error(V2Error.ROOT_READ_ONLY, "/", snapshot.revision());
        }
    }

    private static void checkWritable(Snapshot snapshot, String path) {
        checkRoot(path, snapshot);
        checkAncestorsAreDirs(snapshot, path);
    }

    private static void checkAncestorsAreDirs(Snapshot snapshot, String path) {
        for (String ancestor : ancestors(path)) {
            V2Node node = snapshot.node(ancestor);
            if (node != null && !node.dir()) {
                throw new V2Error(V2Error.NOT_DIR, ancestor, snapshot.revision());
            }
        }
    }

    /** Creates {@code path} and the missing directories above it, inheriting the nearest lease above. */
    private void ensureDir(Snapshot snapshot, Plan plan, String path) {
        List<String> chain = new ArrayList<>(ancestors(path));
        if (!path.equals("/")) {
            chain.add(path);
        }
        long lease = 0;
        for (String dir : chain) {
            V2Node node = snapshot.node(dir);
            if (node != null) {
                lease = node.lease() != 0 ? node.lease() : lease;
                continue;
            }
            plan.ops.add(PutRequest.of(V2Node.key(dir), V2Node.encode(true, false, false, 0, 0, 0, "")).withLease(lease));
        }
    }

    private long inheritedLease(Snapshot snapshot, String path) {
        long lease = 0;
        for (String ancestor : ancestors(path)) {
            V2Node node = snapshot.node(ancestor);
            if (node != null && node.lease() != 0) {
                lease = node.lease();
            }
        }
        return lease;
    }

    /**
     * Writes the node at {@code path}, with the missing directories above it. A TTL gets the node a
     * lease of its own (a refresh with the same TTL renews the one it has); without a TTL the node
     * shares the lease of the nearest directory above that has one, so it goes when that expires.
     */
    private void putNode(Snapshot snapshot, Plan plan, String path, boolean dir, String value, Long ttl,
            boolean refresh, V2Node previous, long createdIndex) {
        ensureDir(snapshot, plan, parentOf(path));
        long lease;
        boolean own;
        long expiration = 0;
        long ttlSeconds = 0;
        if (ttl != null) {
            own = true;
            ttlSeconds = ttl;
            lease = 0;
            if (refresh && previous != null && previous.ownLease() && previous.lease() != 0 && previous.ttlSeconds() == ttl) {
                var renewed = await(cairn.lease().keepAliveOnce(previous.lease()));
                if (renewed.ttl() > 0) {
                    lease = previous.lease();
                }
            }
            if (lease == 0) {
                lease = await(cairn.lease().grant(LeaseGrantRequest.of(Math.max(1, ttl)))).id();
                plan.grantedLeases.add(lease);
            }
            expiration = System.currentTimeMillis() + ttl * 1000;
        } else {
            own = false;
            lease = inheritedLease(snapshot, path);
        }
        if (previous != null && previous.ownLease() && previous.lease() != 0 && previous.lease() != lease) {
            plan.leasesToRevoke.add(previous.lease());
            if (previous.dir()) {
                moveSubtreeLease(snapshot, plan, previous, lease);
            }
        }
        plan.ops.add(PutRequest.of(V2Node.key(path),
                V2Node.encode(dir, own, refresh, expiration, ttlSeconds, createdIndex, value)).withLease(lease));
        plan.path = path;
        plan.refresh = refresh;
        long now = System.currentTimeMillis();
        final long nodeLease = lease;
        final boolean nodeOwn = own;
        final long nodeExpiration = expiration;
        final long nodeTtl = ttlSeconds;
        plan.result = revision -> {
            V2Node written = new V2Node(path, dir, nodeOwn, refresh, nodeExpiration, nodeTtl, value,
                    createdIndex == 0 ? revision : createdIndex, revision, nodeLease);
            String action = plan.action;
            return new Result(action, written.toJson(now), previous == null ? null : previous.toJson(now), revision, 0,
                    action.equals("create") || (action.equals("set") && previous == null));
        };
    }

    /** The nodes under a directory that shared its old lease follow it to the new one (V2.md). */
    private void moveSubtreeLease(Snapshot snapshot, Plan plan, V2Node directory, long newLease) {
        RangeResponse subtree = await(cairn.kv().range(RangeRequest.prefix(V2Node.childrenPrefix(directory.path()))
                .withRevision(snapshot.revision())));
        for (KeyValue kv : subtree.kvs()) {
            V2Node child = V2Node.decode(kv);
            if (child != null && kv.lease() == directory.lease() && !child.ownLease()) {
                plan.ops.add(PutRequest.of(kv.key(), V2Node.encode(child.dir(), false, false, 0, 0, child.createdIndex(),
                        child.value())).withLease(newLease));
            }
        }
    }

    private void revoke(List<Long> leases) {
        for (long lease : leases) {
            cairn.lease().revoke(new LeaseRevokeRequest(lease)); // best effort: an unused lease expires anyway
        }
    }

    // ---- paths ----

    /**
     * etcd's path cleaning: "/" + key, repeated slashes folded, "." and ".." resolved, no trailing
     * slash; the root is "/".
     */
    static String clean(String raw) {
        List<String> parts = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return "/" + String.join("/", parts);
    }

    /** The directories above {@code path}, top first, without the root. */
    static List<String> ancestors(String path) {
        List<String> result = new ArrayList<>();
        int slash = path.indexOf('/', 1);
        while (slash > 0) {
            result.add(path.substring(0, slash));
            slash = path.indexOf('/', slash + 1);
        }
        return result;
    }

    private static List<String> pathAndAncestors(String path) {
        List<String> all = ancestors(path);
        if (!path.equals("/")) {
            all.add(path);
        }
        return all;
    }

    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static int depth(String path) {
        if (path.equals("/")) {
            return 0;
        }
        int depth = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                depth++;
            }
        }
        return depth;
    }

    // ---- waiting ----

    /** The answer of {@code future}; a failure of the store becomes etcd's 300 with the store's message. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new V2Error(V2Error.RAFT_INTERNAL, "interrupted", 0);
        } catch (TimeoutException timeout) {
            future.cancel(false);
            throw new V2Error(V2Error.RAFT_INTERNAL, "etcdserver: request timed out", 0);
        } catch (ExecutionException | CompletionException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            if (cause instanceof V2Error v2) {
                throw v2;
            }
            String message = cause instanceof CairnException ? cause.getMessage() : String.valueOf(cause);
            throw new V2Error(V2Error.RAFT_INTERNAL, message, 0);
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
