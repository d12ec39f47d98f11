/**
 * The stable client API of Cairn: the same interface embedded and remote, modelled one to one on
 * etcd's v3 API. {@link io.cairn.api.Cairn} is the entry point; each service has its own package.
 */
module io.cairn.api {
    exports io.cairn.api;
    exports io.cairn.api.kv;
    exports io.cairn.api.watch;
    exports io.cairn.api.lease;
    exports io.cairn.api.cluster;
    exports io.cairn.api.maintenance;
    exports io.cairn.api.lock;
    exports io.cairn.api.election;
    exports io.cairn.api.auth;
}
