package io.cairn.api;

import io.cairn.api.auth.Auth;
import io.cairn.api.cluster.Cluster;
import io.cairn.api.election.Election;
import io.cairn.api.kv.KV;
import io.cairn.api.lease.Lease;
import io.cairn.api.lock.Lock;
import io.cairn.api.maintenance.Maintenance;
import io.cairn.api.watch.Watch;

/**
 * The entry point of Cairn's API: a connection to a cluster, the same whether the cluster runs in
 * this JVM (embedded) or elsewhere (the remote client over etcd's gRPC protocol). Each accessor
 * returns the service of the same name in etcd's v3 API.
 *
 * <h2>Contract shared by every service</h2>
 * <ul>
 *   <li><b>Ownership.</b> Requests and responses are immutable records; keys and values are
 *       {@link Bytes}, which copy arrays in and out. Nothing the caller passes is retained mutable,
 *       and nothing returned changes afterwards.
 *   <li><b>Nullability.</b> No argument, record component or return value is null unless its
 *       documentation says so; absent values are {@link java.util.Optional}, empty {@link Bytes} or
 *       empty lists. A null argument throws {@link NullPointerException} at once.
 *   <li><b>Asynchrony and threading.</b> Calls return at once with a
 *       {@link java.util.concurrent.CompletableFuture} or a {@link java.util.concurrent.Flow.Publisher};
 *       every method is safe from any thread. Completions and stream signals may run on an
 *       implementation thread, so callbacks must not block it.
 *   <li><b>Failure.</b> Futures complete exceptionally, and streams end with {@code onError}, with a
 *       {@link CairnException} whose {@link CairnException#errorCode()} is etcd's error and whose
 *       message is etcd's message for the same condition.
 * </ul>
 *
 */
@Stable(since = "0.1")
public interface Cairn extends AutoCloseable {

    /** The key-value service. */
    KV kv();

    /** The watch service. */
    Watch watch();

    /** The lease service. */
    Lease lease();

    /** The cluster membership service. */
    Cluster cluster();

    /** The maintenance service. */
    Maintenance maintenance();

    /** The lock service. */
    Lock lock();

    /** The election service. */
    Election election();

    /** The auth service: users, roles, permissions. */
    Auth auth();

    /**
     * Releases what this connection holds: open watch and keep-alive streams end, pending futures
     * fail with {@link ErrorCode#CANCELED}. Idempotent. For an embedded server, whether closing
     * also stops the server is the embedding entry point's documented choice.
     */
    @Override
    void close();
}
