/** The watch hub: etcd's watch streams over the MVCC store, live from the apply loop and replayed from storage. */
package io.cairn.server.watch;
