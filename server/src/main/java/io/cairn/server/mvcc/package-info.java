/**
 * The multi-version key-value store with etcd v3 semantics, kept entirely on a storage backend:
 * the deterministic state machine that committed Raft entries are applied to. See {@code server/MVCC.md}.
 */
package io.cairn.server.mvcc;
