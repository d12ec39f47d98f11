package io.cairn.api.kv;

import io.cairn.api.Stable;

/**
 * One operation of a transaction, as etcd's {@code RequestOp} union: a range, put, delete or nested
 * transaction request. Each operation yields the {@link ResponseOp} of the same kind.
 */
@Stable(since = "0.1")
public sealed interface RequestOp permits RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest {}
