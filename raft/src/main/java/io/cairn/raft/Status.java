package io.cairn.raft;

import java.util.Map;

/**
 * A point-in-time report of a node, for monitoring and tests.
 *
 * @param id this node
 * @param hardState the current hard state (persisted or about to be)
 * @param softState the current soft state
 * @param applied the applied index
 * @param leadTransferee the target of a leader transfer in progress, 0 for none
 * @param config the current configuration
 * @param progress on a leader, the replication state per peer (including itself), in id order;
 *     empty on other roles
 */
public record Status(long id, HardState hardState, SoftState softState, long applied, long leadTransferee,
        ConfState config, Map<Long, ProgressStatus> progress) {
    public Status {
        progress = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(progress));
    }
}
