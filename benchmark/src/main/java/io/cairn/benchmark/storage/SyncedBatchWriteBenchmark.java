package io.cairn.benchmark.storage;

import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.WriteBatch;
import java.util.SplittableRandom;
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
 * Synced (fsync'd) write batches of 1, 16 and 256 puts of 16-byte keys and 100-byte values, one
 * writer: the pattern of the Raft log's group commit. The score is batches per second; rows per
 * second is the score times the batch size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SyncedBatchWriteBenchmark {

    @Param({"rocksdb", "xodus"})
    public String provider;

    @Param({"1", "16", "256"})
    public int batchSize;

    private StorageState state;
    private final SplittableRandom random = new SplittableRandom(42);
    private long nextKey;

    @Setup(Level.Trial)
    public void open() {
        state = new StorageState(provider);
    }

    @TearDown(Level.Trial)
    public void close() {
        state.close();
    }

    @Benchmark
    public void syncedBatch() {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < batchSize; i++) {
            batch.put(StorageState.KEYSPACE, StorageState.key(nextKey++), StorageState.value(random));
        }
        state.backend.write(batch, Durability.SYNCED);
    }
}
