/** The lease service: time-to-live grants that keys attach to, after etcd's Lease service. */
package io.cairn.api.lease;
