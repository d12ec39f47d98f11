package io.cairn.raft.sim;

import io.cairn.raft.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated network: loses, delays (and so reorders) and duplicates messages, and blocks
 * links during partitions. A partition is a set of blocked directed links; partitions may overlap
 * (a link is blocked while any partition blocks it). A message is checked against partitions when
 * sent and again when it arrives.
 */
final class MessageRouter {

    /** Where the router hands messages back to the simulation. */
    interface Endpoint {
        void deliver(Message m);

        /** The message was lost; {@code blocked} when a partition (not random loss) lost it. */
        void lost(Message m, boolean blocked);
    }

    /** One partition: directed links it blocks, as (from, to) pairs. */
    record Partition(long id, List<long[]> links, String description) {}

    static final int MAX_ID = 32;

    private final EventScheduler scheduler;
    private final SplittableRandom random;
    private final Endpoint endpoint;
    private final int[][] blocked = new int[MAX_ID + 1][MAX_ID + 1];
    private final List<Partition> active = new ArrayList<>();
    private double dropRate;
    private double duplicateRate;
    private int minDelay;
    private int maxDelay;
    private long nextPartitionId = 1;
    long sent;
    long dropped;
    long duplicated;

    MessageRouter(EventScheduler scheduler, SplittableRandom random, Endpoint endpoint, SwarmOptions o) {
        this.scheduler = scheduler;
        this.random = random;
        this.endpoint = endpoint;
        this.dropRate = o.dropRate();
        this.duplicateRate = o.duplicateRate();
        this.minDelay = o.minDelayMs();
        this.maxDelay = o.maxDelayMs();
    }

    void send(Message m) {
        sent++;
        if (isBlocked(m.from(), m.to())) {
            dropped++;
            endpoint.lost(m, true);
            return;
        }
        if (dropRate > 0 && random.nextDouble() < dropRate) {
            dropped++;
            endpoint.lost(m, false);
            return;
        }
        scheduleDelivery(m);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            duplicated++;
            scheduleDelivery(m);
        }
    }

    private void scheduleDelivery(Message m) {
        int delay = minDelay + random.nextInt(maxDelay - minDelay + 1);
        scheduler.schedule(delay, "deliver", () -> {
            if (isBlocked(m.from(), m.to())) {
                dropped++;
                endpoint.lost(m, true);
            } else {
                endpoint.deliver(m);
            }
        });
    }

    boolean isBlocked(long from, long to) {
        return blocked[(int) from][(int) to] > 0;
    }

    /** Blocks every link from a node in {@code a} to a node in {@code b} and, unless {@code oneWay}, back. */
    Partition partition(List<Long> a, List<Long> b, boolean oneWay) {
        List<long[]> links = new ArrayList<>();
        for (long x : a) {
            for (long y : b) {
                links.add(new long[] {x, y});
                if (!oneWay) {
                    links.add(new long[] {y, x});
                }
            }
        }
        Partition p = new Partition(nextPartitionId++, links, a + (oneWay ? " -/-> " : " <-/-> ") + b);
        for (long[] l : links) {
            blocked[(int) l[0]][(int) l[1]]++;
        }
        active.add(p);
        return p;
    }

    void heal(Partition p) {
        if (active.remove(p)) {
            for (long[] l : p.links()) {
                blocked[(int) l[0]][(int) l[1]]--;
            }
        }
    }

    /** Ends every partition and makes the network reliable with short delays (the liveness phase). */
    void healAll(int maxDelayMs) {
        for (Partition p : List.copyOf(active)) {
            heal(p);
        }
        dropRate = 0;
        duplicateRate = 0;
        minDelay = Math.min(minDelay, maxDelayMs);
        maxDelay = Math.min(maxDelay, maxDelayMs);
    }

    int activePartitions() {
        return active.size();
    }
}
