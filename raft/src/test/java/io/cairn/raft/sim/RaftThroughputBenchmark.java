package io.cairn.raft.sim;

import io.cairn.raft.ConfState;
import io.cairn.raft.MemoryRaftStorage;
import io.cairn.raft.Message;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RawNode;
import io.cairn.raft.Ready;
import io.cairn.raft.StateRole;
import java.lang.reflect.Method;
import java.util.SplittableRandom;

/**
 * Benchmark, not a test: how many entries per second a 3-node cluster commits when the engine is
 * all there is (in-memory storage, the simulator's network with no loss and no delay, one thread),
 * and how many bytes each committed entry allocates. The engine must not be what limits a server.
 *
 * <p>Run (after {@code ./mvnw -pl raft verify}):
 * <pre>
 * java -cp raft/target/classes:raft/target/test-classes io.cairn.raft.sim.RaftThroughputBenchmark [batch] [payloadBytes] [seconds]
 * </pre>
 * Each round proposes {@code batch} entries on the leader and runs the cluster until they are
 * applied on the leader; followers apply in the same rounds. Logs are compacted as they go so the
 * heap stays flat. The payload array is shared by all proposals (entries never copy it), so the
 * allocation figure is the engine's and the harness's own.
 */
public final class RaftThroughputBenchmark {

    private static final class Node {
        final RawNode raw;
        final MemoryRaftStorage storage;
        long applied;
        StateRole role = StateRole.FOLLOWER;

        Node(long id) {
            storage = MemoryRaftStorage.withConfState(ConfState.ofVoters(1, 2, 3));
            raw = new RawNode(RaftConfig.builder(id, new SplittableRandom(id)).electionTick(10).heartbeatTick(1)
                    .maxSizePerMsg(1 << 20).maxInflightMsgs(256).build(), storage);
        }
    }

    private final Node[] nodes = {null, new Node(1), new Node(2), new Node(3)};
    private final EventScheduler scheduler = new EventScheduler();
    private final MessageRouter router;

    private RaftThroughputBenchmark() {
        SwarmOptions perfect = new SwarmOptions(3, 0, 10, 1, false, false, 1 << 20, 256, 0, false, 10, 0, 0, 0, 0, 0, 0,
                0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, false, false, 0, 0);
        router = new MessageRouter(scheduler, new SplittableRandom(1), new MessageRouter.Endpoint() {
            @Override
            public void deliver(Message m) {
                nodes[(int) m.to()].raw.step(m);
            }

            @Override
            public void lost(Message m, boolean blocked) {
                throw new AssertionError("the benchmark network loses nothing");
            }
        }, perfect);
    }

    /** Handles Readys and delivers messages until nothing moves. */
    private void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int i = 1; i <= 3; i++) {
                Node n = nodes[i];
                if (n.raw.hasReady()) {
                    handle(n);
                    moved = true;
                }
            }
            while (scheduler.runNext(Long.MAX_VALUE)) {
                moved = true;
            }
        }
    }

    private void handle(Node n) {
        Ready rd = n.raw.ready();
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
        }
        n.storage.append(rd.entries());
        if (rd.hardState() != null) {
            n.storage.setHardState(rd.hardState());
        }
        if (rd.softState() != null) {
            n.role = rd.softState().role();
        }
        for (Message m : rd.messages()) {
            router.send(m);
        }
        if (!rd.committedEntries().isEmpty()) {
            n.applied = rd.committedEntries().get(rd.committedEntries().size() - 1).index();
        }
        n.raw.advance(rd);
        // Keep the logs short: compact everything applied but the last 1,000 entries.
        long compactTo = n.applied - 1_000;
        if (compactTo > n.storage.firstIndex() + 10_000) {
            n.storage.compact(compactTo);
        }
    }

    private long round(Node leader, byte[] payload, int batch) {
        for (int i = 0; i < batch; i++) {
            leader.raw.propose(payload);
        }
        long target = leader.storage.lastIndex() + batch; // proposals are appended after the last index
        long before = leader.applied;
        while (leader.applied < target) {
            pump();
            if (leader.applied < target && !leader.raw.hasReady()) {
                leader.raw.tick(); // nothing moved: let a heartbeat carry the commit index along
            }
        }
        return leader.applied - before;
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, called reflectively: the
     * test sources are compiled into module io.cairn.raft, which does not (and should not) read
     * java.management.
     */
    private static long allocatedBytes(long thread) {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
            return (long) m.invoke(bean, thread);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the thread's allocated bytes", e);
        }
    }

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        RaftThroughputBenchmark b = new RaftThroughputBenchmark();
        Node leader = b.nodes[1];
        leader.raw.campaign();
        b.pump();
        if (leader.role != StateRole.LEADER) {
            throw new IllegalStateException("node 1 did not become leader");
        }
        byte[] payload = new byte[payloadBytes];
        long thread = Thread.currentThread().threadId();

        long warmEnd = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            b.round(leader, payload, batch);
        }
        long entries = 0;
        long alloc0 = allocatedBytes(thread);
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            entries += b.round(leader, payload, batch);
        }
        long t1 = System.nanoTime();
        long alloc1 = allocatedBytes(thread);
        double perSecond = entries / ((t1 - t0) / 1e9);
        for (int i = 2; i <= 3; i++) {
            if (b.nodes[i].applied < leader.applied - batch) {
                throw new IllegalStateException("follower " + i + " applied " + b.nodes[i].applied + ", leader " + leader.applied);
            }
        }
        System.out.printf("3 nodes, one thread, batch %d, payload %d B: %,d entries committed in %.2f s = %,.0f entries/s,"
                + " %.0f bytes allocated per entry (whole cluster)%n", batch, payloadBytes, entries, (t1 - t0) / 1e9,
                perSecond, (alloc1 - alloc0) / (double) entries);
    }
}
