/** The client API of Cairn: key-value, watch, lease, cluster and maintenance, after etcd's v3 API. */
package io.cairn.api;
