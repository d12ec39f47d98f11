/**
 * Recipes on Cairn's client API: locks ({@link io.cairn.recipes.Mutex}, {@link io.cairn.recipes.ReadWriteLock},
 * {@link io.cairn.recipes.Semaphore}), leader election ({@link io.cairn.recipes.Election},
 * {@link io.cairn.recipes.LeaderLatch}), queues, barriers, a counter, service discovery and live configuration.
 * They use {@link io.cairn.api.Cairn} only, so they run the same on an embedded member and over the network;
 * the lock and election key layout is etcd's {@code clientv3/concurrency}, so they queue together with
 * {@code etcdctl lock} and {@code etcdctl elect}.
 */
module io.cairn.recipes {
    requires transitive io.cairn.api;
    // instance records (ServiceRegistry) and typed configuration (ConfigWatcher) are JSON
    requires com.fasterxml.jackson.databind;

    exports io.cairn.recipes;
}
