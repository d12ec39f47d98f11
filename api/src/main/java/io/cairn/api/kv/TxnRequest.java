package io.cairn.api.kv;

import io.cairn.api.Stable;
import io.cairn.api.internal.Checks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An atomic transaction, as etcd's {@code TxnRequest}: if every {@code compare} holds, the
 * {@code success} operations run in order, otherwise the {@code failure} operations; all at one
 * revision. Build by appending:
 * {@snippet :
 * TxnRequest txn = TxnRequest.empty()
 *         .when(Compare.version(key, Compare.Result.EQUAL, 0))
 *         .then(PutRequest.of(key, value))
 *         .otherwise(RangeRequest.of(key));
 * }
 *
 * <p>etcd's limits (operation count, a key written twice) are checked by the server, which answers
 * with {@link io.cairn.api.ErrorCode#TOO_MANY_OPS} or {@link io.cairn.api.ErrorCode#DUPLICATE_KEY}.
 *
 * @param compare the guard, a conjunction; empty means true; unmodifiable
 * @param success the operations run when the guard holds; unmodifiable
 * @param failure the operations run when it does not; unmodifiable
 */
@Stable(since = "0.1")
public record TxnRequest(List<Compare> compare, List<RequestOp> success, List<RequestOp> failure) implements RequestOp {

    private static final TxnRequest EMPTY = new TxnRequest(List.of(), List.of(), List.of());

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list or an element is null
     */
    public TxnRequest {
        compare = Checks.copyOf(compare, "compare");
        success = Checks.copyOf(success, "success");
        failure = Checks.copyOf(failure, "failure");
    }

    /** The transaction with no guard and no operations. */
    public static TxnRequest empty() {
        return EMPTY;
    }

    /** This transaction with {@code conditions} appended to the guard. */
    public TxnRequest when(Compare... conditions) {
        return new TxnRequest(append(compare, conditions), success, failure);
    }

    /** This transaction with {@code operations} appended to the success branch. */
    public TxnRequest then(RequestOp... operations) {
        return new TxnRequest(compare, append(success, operations), failure);
    }

    /** This transaction with {@code operations} appended to the failure branch. */
    public TxnRequest otherwise(RequestOp... operations) {
        return new TxnRequest(compare, success, append(failure, operations));
    }

    private static <T> List<T> append(List<T> list, T[] more) {
        Objects.requireNonNull(more, "operands");
        List<T> joined = new ArrayList<>(list.size() + more.length);
        joined.addAll(list);
        joined.addAll(Arrays.asList(more));
        return joined;
    }
}
