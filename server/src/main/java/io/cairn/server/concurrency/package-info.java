/**
 * etcd's lock ({@code v3lock}) and election ({@code v3election}) services, built as etcd builds them: on
 * the key-value, watch and lease services, with the key layout of etcd's {@code clientv3/concurrency}
 * ({@code <name>/<lease id in lower-case hex>}), so that holders using the server's services (jetcd's lock
 * and election clients) and holders working on keys themselves ({@code etcdctl lock}, {@code etcdctl elect},
 * the {@code io.cairn.recipes} module) queue in the same line.
 */
package io.cairn.server.concurrency;
