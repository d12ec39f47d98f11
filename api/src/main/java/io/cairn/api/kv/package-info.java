/** The key-value service: range reads, puts, deletes, transactions and compaction, after etcd's KV service. */
package io.cairn.api.kv;
