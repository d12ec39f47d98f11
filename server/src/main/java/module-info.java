/**
 * The Cairn node: the Raft loop, the durable Raft log, the MVCC state machine, leases, the watch hub and the
 * embedding entry point {@link io.cairn.server.CairnServer}.
 *
 * @uses io.cairn.spi.storage.StorageProvider opens the Raft log and the state machine, chosen by id
 * @uses io.cairn.spi.transport.TransportProvider serves the client API on the client URLs, chosen by id
 */
module io.cairn.server {
    requires transitive io.cairn.api;
    requires transitive io.cairn.spi.storage;
    requires io.cairn.spi.transport;
    requires io.cairn.raft;

    exports io.cairn.server;
    exports io.cairn.server.mvcc;
    exports io.cairn.server.lease;
    exports io.cairn.server.raftlog;
    exports io.cairn.server.watch;

    uses io.cairn.spi.storage.StorageProvider;
    uses io.cairn.spi.transport.TransportProvider;
}
