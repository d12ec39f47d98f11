/** Leases: the replicated lease table and the primary's expiry tracking, after etcd's lessor. */
package io.cairn.server.lease;
