package io.cairn.storage.rocksdb;

import java.util.List;
import java.util.Map;

/**
 * The {@code rocksdb.*} options of a {@link io.cairn.spi.storage.BackendConfig}, parsed and checked.
 *
 * @param blockCacheBytes size of the LRU block cache shared by all column families of one backend
 * @param writeBufferBytes size of one memtable, per column family
 * @param totalWriteBufferBytes memtables of all column families of one backend together (RocksDB's
 *     {@code db_write_buffer_size}): past it, RocksDB flushes the largest
 * @param bloomBitsPerKey bits per key of the bloom filter on point lookups; 0 turns filters off
 * @param maxBackgroundJobs flush and compaction threads
 */
record RocksDbTuning(long blockCacheBytes, long writeBufferBytes, long totalWriteBufferBytes, int bloomBitsPerKey,
                     int maxBackgroundJobs) {

    static final String PREFIX = RocksDbStorageProvider.ID + ".";
    static final String BLOCK_CACHE_SIZE = PREFIX + "block-cache-size";
    static final String WRITE_BUFFER_SIZE = PREFIX + "write-buffer-size";
    static final String TOTAL_WRITE_BUFFER_SIZE = PREFIX + "total-write-buffer-size";
    static final String BLOOM_BITS_PER_KEY = PREFIX + "bloom-bits-per-key";
    static final String MAX_BACKGROUND_JOBS = PREFIX + "max-background-jobs";
    static final List<String> KEYS = List.of(BLOCK_CACHE_SIZE, WRITE_BUFFER_SIZE, TOTAL_WRITE_BUFFER_SIZE,
            BLOOM_BITS_PER_KEY, MAX_BACKGROUND_JOBS);

    /**
     * 4 MiB block cache, 1 MiB memtables and 2 MiB of memtables in all, 10 bloom bits, 2 background
     * jobs: sized for a member's small memory footprint, not for large data sets. A Cairn member
     * opens two backends (Raft log and state) with several column families each; a put writes three
     * of them (log entry, key index, revision index), and every written family keeps up to two
     * memtables. With 32 MiB memtables and 64 MiB caches RocksDB held about 70 MiB of the member's
     * RSS after 16 s of puts by 1000 clients; the total cap keeps the memtables of one backend at
     * 2 MiB however many families are written (benchmark/results/profile-put-1000.md). Flushing
     * 1 MiB memtables costs little: the Raft log is written once and read back rarely, and the
     * state's puts look up only the newest version of a key. Larger values suit large data sets:
     * {@code rocksdb.block-cache-size}, {@code rocksdb.write-buffer-size},
     * {@code rocksdb.total-write-buffer-size}.
     */
    static final RocksDbTuning DEFAULTS = new RocksDbTuning(4L << 20, 1L << 20, 2L << 20, 10, 2);

    /**
     * Reads the {@code rocksdb.*} keys of {@code options}, ignoring other providers' keys.
     *
     * @throws IllegalArgumentException for an unknown {@code rocksdb.*} key (naming the accepted
     *     ones) or a value that is not a number in range
     */
    static RocksDbTuning parse(Map<String, String> options) {
        long blockCache = DEFAULTS.blockCacheBytes;
        long writeBuffer = DEFAULTS.writeBufferBytes;
        long totalWriteBuffer = DEFAULTS.totalWriteBufferBytes;
        int bloomBits = DEFAULTS.bloomBitsPerKey;
        int backgroundJobs = DEFAULTS.maxBackgroundJobs;
        for (Map.Entry<String, String> option : options.entrySet()) {
            String key = option.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = option.getValue();
            switch (key) {
                case BLOCK_CACHE_SIZE -> blockCache = number(key, value, 0, Long.MAX_VALUE);
                case WRITE_BUFFER_SIZE -> writeBuffer = number(key, value, 64L << 10, 1L << 40);
                case TOTAL_WRITE_BUFFER_SIZE -> totalWriteBuffer = number(key, value, 64L << 10, 1L << 40);
                case BLOOM_BITS_PER_KEY -> bloomBits = (int) number(key, value, 0, 100);
                case MAX_BACKGROUND_JOBS -> backgroundJobs = (int) number(key, value, 1, 256);
                default -> throw new IllegalArgumentException(
                        "unknown RocksDB option '" + key + "'; accepted: " + String.join(", ", KEYS));
            }
        }
        return new RocksDbTuning(blockCache, writeBuffer, totalWriteBuffer, bloomBits, backgroundJobs);
    }

    private static long number(String key, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " = '" + value + "' is not a whole number", e);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(
                    "option " + key + " = " + parsed + " is out of range [" + min + ", " + max + "]");
        }
        return parsed;
    }
}
