package io.cairn.benchmark.raft;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Raft engine alone: a 3-node {@link InMemoryRaftCluster} on one thread (in-memory logs, a
 * network that delivers at once and loses nothing), the leader proposing {@code batch} entries of
 * {@code payloadBytes} and the cluster running until it has applied them; followers replicate and
 * apply in the same rounds. The score is rounds per second; committed entries per second is the
 * score times the batch. JMH's GC profiler's {@code gc.alloc.rate.norm} divided by the batch is
 * the bytes the whole cluster (engine and the thin harness) allocates per committed entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RaftThroughputBenchmark {

    @Param({"1", "16", "256"})
    public int batch;

    @Param({"16"})
    public int payloadBytes;

    private InMemoryRaftCluster cluster;
    private byte[] payload;

    @Setup(Level.Trial)
    public void startCluster() {
        cluster = new InMemoryRaftCluster(3);
        cluster.electNodeOne();
        payload = new byte[payloadBytes];
    }

    @TearDown(Level.Trial)
    public void checkReplication() {
        // A benchmark that stopped replicating would measure something else: fail it loudly.
        cluster.checkFollowersWithin(batch);
    }

    @Benchmark
    public long proposeAndCommit() {
        return cluster.proposeAndCommit(batch, payload);
    }
}
