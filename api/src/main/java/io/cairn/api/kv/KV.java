package io.cairn.api.kv;

import io.cairn.api.Bytes;
import io.cairn.api.Stable;

import java.util.concurrent.CompletableFuture;

/**
 * The key-value service, as etcd's {@code KV} gRPC service.
 *
 * <p>Contract of every method (see also {@link io.cairn.api.Cairn}):
 * <ul>
 *   <li>Arguments are immutable records, never null: a null argument throws
 *       {@link NullPointerException} at once and nothing is sent.
 *   <li>The call does not block; the future completes with the response, or exceptionally with a
 *       {@link io.cairn.api.CairnException} that carries etcd's error (for example
 *       {@link io.cairn.api.ErrorCode#EMPTY_KEY}, {@link io.cairn.api.CompactedException},
 *       {@link io.cairn.api.ErrorCode#FUTURE_REVISION}, {@link io.cairn.api.ErrorCode#NO_LEADER}).
 *   <li>Methods are safe to call from any thread. Futures may complete on an implementation thread:
 *       dependent actions must not block it (use the {@code ...Async} variants to move work elsewhere).
 *   <li>Cancelling a future stops waiting for the answer; a write may still be applied.
 * </ul>
 */
@Stable(since = "0.1")
public interface KV {

    /** Reads a key or a range of keys. */
    CompletableFuture<RangeResponse> range(RangeRequest request);

    /** Writes a key; the store's revision increases by one. */
    CompletableFuture<PutResponse> put(PutRequest request);

    /** Deletes a key or a range of keys; the revision increases by one if any key was deleted. */
    CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

    /** Runs a transaction atomically; the revision increases by one if the branch that ran wrote anything. */
    CompletableFuture<TxnResponse> txn(TxnRequest request);

    /** Compacts the history up to a revision. */
    CompletableFuture<CompactionResponse> compact(CompactionRequest request);

    /** Reads the single key {@code key}: {@code range(RangeRequest.of(key))}. */
    default CompletableFuture<RangeResponse> get(Bytes key) {
        return range(RangeRequest.of(key));
    }

    /** Writes {@code value} at {@code key} without lease: {@code put(PutRequest.of(key, value))}. */
    default CompletableFuture<PutResponse> put(Bytes key, Bytes value) {
        return put(PutRequest.of(key, value));
    }

    /** Deletes the single key {@code key}: {@code deleteRange(DeleteRangeRequest.of(key))}. */
    default CompletableFuture<DeleteRangeResponse> delete(Bytes key) {
        return deleteRange(DeleteRangeRequest.of(key));
    }
}
