/**
 * The Cairn node: the MVCC state machine on a storage backend, and (to come) the Raft loop, watch
 * hub, lessor and embedding entry point.
 */
module io.cairn.server {
    requires transitive io.cairn.api;
    requires transitive io.cairn.spi.storage;

    exports io.cairn.server.mvcc;
    exports io.cairn.server.lease;
    exports io.cairn.server.watch;
}
