/** The durable Raft log of a node, kept on a storage {@link io.cairn.spi.storage.Backend}. */
package io.cairn.server.raftlog;
