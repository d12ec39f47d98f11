/**
 * The stable client API of Cairn: the same interface embedded and remote.
 */
module io.cairn.api {
    exports io.cairn.api;
    exports io.cairn.api.kv;
    exports io.cairn.api.watch;
    exports io.cairn.api.lease;
}
