/** The maintenance service: status, alarms, hashes, defragmentation, snapshots and leader moves, after etcd's Maintenance service. */
package io.cairn.api.maintenance;
