/** The lock service: distributed locks held by a lease, after etcd's v3lock service. */
package io.cairn.api.lock;
