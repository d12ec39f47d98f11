package io.cairn.benchmark.storage;

import io.cairn.spi.storage.ScanOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads from a store preloaded with {@link #KEYS} keys: random point gets (score: gets per
 * second) and forward range scans of {@link #SCAN_ROWS} rows from a random start (score: rows per
 * second, through {@link OperationsPerInvocation}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReadBenchmark {

    static final int KEYS = 200_000;
    static final int SCAN_ROWS = 1_000;

    @Param({"rocksdb", "xodus"})
    public String provider;

    private StorageState state;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup(Level.Trial)
    public void open() {
        state = new StorageState(provider);
        state.preload(KEYS, new SplittableRandom(1));
    }

    @TearDown(Level.Trial)
    public void close() {
        state.close();
    }

    @Benchmark
    public byte[] randomPointRead() {
        byte[] value = state.backend.get(StorageState.KEYSPACE, StorageState.key(random.nextLong(KEYS)));
        if (value == null) {
            throw new IllegalStateException("preloaded key is missing");
        }
        return value;
    }

    @Benchmark
    @OperationsPerInvocation(SCAN_ROWS)
    public void rangeScan(Blackhole blackhole) {
        long start = random.nextLong(KEYS - SCAN_ROWS);
        int rows = state.backend.scan(StorageState.KEYSPACE, StorageState.key(start), null, ScanOrder.ASCENDING, SCAN_ROWS,
                (key, value) -> {
                    blackhole.consume(value);
                    return true;
                });
        if (rows != SCAN_ROWS) {
            throw new IllegalStateException("scan returned " + rows + " rows, expected " + SCAN_ROWS);
        }
    }
}
