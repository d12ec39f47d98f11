/** The cluster service: membership listing and changes, after etcd's Cluster service. */
package io.cairn.api.cluster;
