package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.Experimental;
import io.cairn.api.kv.Compare;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The request checks etcd makes before a request reaches the state machine (its gRPC layer's
 * {@code checkRangeRequest}, {@code checkPutRequest}, {@code checkTxnRequest} and
 * {@code checkIntervals}), with etcd's errors. The service layer calls them before proposing, so a
 * bad request never enters the Raft log; {@link MvccStore} calls them again when applying, so an
 * entry that slipped through fails the same way on every member.
 *
 * <p>Stateless and thread-safe. Every method throws {@link CairnException} with the
 * {@link ErrorCode} named in its comment, and {@link NullPointerException} for a null request.
 */
@Experimental("server internals")
public final class KvRequestChecks {

    /** etcd's default {@code --max-txn-ops}. */
    public static final int DEFAULT_MAX_TXN_OPS = 128;

    private KvRequestChecks() {}

    /** {@link ErrorCode#EMPTY_KEY} for an empty key. */
    public static void checkRange(RangeRequest request) {
        requireKey(request.key());
    }

    /**
     * {@link ErrorCode#EMPTY_KEY}; {@link ErrorCode#VALUE_PROVIDED} for a value with
     * {@code ignoreValue}; {@link ErrorCode#LEASE_PROVIDED} for a lease with {@code ignoreLease}.
     */
    public static void checkPut(PutRequest request) {
        requireKey(request.key());
        if (request.ignoreValue() && !request.value().isEmpty()) {
            throw new CairnException(ErrorCode.VALUE_PROVIDED);
        }
        if (request.ignoreLease() && request.lease() != 0) {
            throw new CairnException(ErrorCode.LEASE_PROVIDED);
        }
    }

    /** {@link ErrorCode#EMPTY_KEY} for an empty key. */
    public static void checkDeleteRange(DeleteRangeRequest request) {
        requireKey(request.key());
    }

    /**
     * {@link ErrorCode#TOO_MANY_OPS} when the guard or a branch has more than {@code maxTxnOps}
     * entries (a nested transaction gets what its parent left: {@code maxTxnOps} minus the parent's
     * largest list, as etcd counts); {@link ErrorCode#EMPTY_KEY} for a compare or operation without
     * key; the operations' own checks; then {@link ErrorCode#DUPLICATE_KEY} when a branch (nested
     * branches included) puts a key twice, or puts a key that it also deletes.
     */
    public static void checkTxn(TxnRequest request, int maxTxnOps) {
        checkTxnShape(request, maxTxnOps);
        checkIntervals(request.success());
        checkIntervals(request.failure());
    }

    /** Whether every top-level operation is a range read (etcd's {@code IsTxnReadonly}). */
    public static boolean isReadOnly(TxnRequest request) {
        return request.success().stream().allMatch(op -> op instanceof RangeRequest)
                && request.failure().stream().allMatch(op -> op instanceof RangeRequest);
    }

    private static void checkTxnShape(TxnRequest request, int maxTxnOps) {
        int opc = Math.max(request.compare().size(), Math.max(request.success().size(), request.failure().size()));
        if (opc > maxTxnOps) {
            throw new CairnException(ErrorCode.TOO_MANY_OPS);
        }
        for (Compare compare : request.compare()) {
            requireKey(compare.key());
        }
        for (RequestOp op : request.success()) {
            checkOp(op, maxTxnOps - opc);
        }
        for (RequestOp op : request.failure()) {
            checkOp(op, maxTxnOps - opc);
        }
    }

    private static void checkOp(RequestOp op, int maxTxnOps) {
        switch (op) {
            case RangeRequest range -> checkRange(range);
            case PutRequest put -> checkPut(put);
            case DeleteRangeRequest delete -> checkDeleteRange(delete);
            case TxnRequest txn -> checkTxnShape(txn, maxTxnOps);
        }
    }

    private static void requireKey(Bytes key) {
        if (key.isEmpty()) {
            throw new CairnException(ErrorCode.EMPTY_KEY);
        }
    }

    /**
     * A deleted interval {@code [begin, end)} compared as raw bytes. NB: etcd builds these from the
     * request bytes as they are, so a delete whose range end is {@code "\0"} ("every key from
     * here") becomes the interval {@code [key, "\0")}, which contains no key: etcd lets such a
     * delete share a transaction with puts of keys it deletes. We keep that behaviour, so that a
     * transaction etcd accepts is accepted here too.
     */
    private record Interval(byte[] begin, byte[] end) {
        boolean contains(byte[] point) {
            return Arrays.compareUnsigned(begin, point) <= 0 && Arrays.compareUnsigned(point, end) < 0;
        }
    }

    private record Writes(Set<Bytes> puts, List<Interval> deletes) {
        boolean deletes(Bytes key) {
            byte[] point = key.toByteArray();
            for (Interval interval : deletes) {
                if (interval.contains(point)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** etcd's {@code checkIntervals}: this level's deletes, then nested puts, then this level's puts. */
    private static Writes checkIntervals(List<RequestOp> ops) {
        List<Interval> deletes = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op instanceof DeleteRangeRequest delete) {
                byte[] begin = delete.key().toByteArray();
                byte[] end = delete.rangeEnd().isEmpty() ? pointEnd(begin) : delete.rangeEnd().toByteArray();
                deletes.add(new Interval(begin, end));
            }
        }
        Writes level = new Writes(new HashSet<>(), deletes);
        for (RequestOp op : ops) {
            if (!(op instanceof TxnRequest txn)) {
                continue;
            }
            Writes then = checkIntervals(txn.success());
            Writes otherwise = checkIntervals(txn.failure());
            for (Bytes key : then.puts()) {
                if (level.puts().contains(key) || level.deletes(key)) {
                    throw new CairnException(ErrorCode.DUPLICATE_KEY);
                }
                level.puts().add(key);
            }
            for (Bytes key : otherwise.puts()) {
                // then and else are exclusive, so a key put by both branches is fine
                if ((level.puts().contains(key) && !then.puts().contains(key)) || level.deletes(key)) {
                    throw new CairnException(ErrorCode.DUPLICATE_KEY);
                }
                level.puts().add(key);
            }
            deletes.addAll(then.deletes());
            deletes.addAll(otherwise.deletes());
        }
        for (RequestOp op : ops) {
            if (op instanceof PutRequest put) {
                if (level.puts().contains(put.key()) || level.deletes(put.key())) {
                    throw new CairnException(ErrorCode.DUPLICATE_KEY);
                }
                level.puts().add(put.key());
            }
        }
        return level;
    }

    private static byte[] pointEnd(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }
}
