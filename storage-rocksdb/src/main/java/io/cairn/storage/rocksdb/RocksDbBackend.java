package io.cairn.storage.rocksdb;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageException.Reason;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteOptions;

/**
 * A {@link Backend} on one RocksDB database.
 *
 * <p>Keyspace {@code k} is the column family {@code "keyspace:" + k}, so that a keyspace named
 * {@code default} never meets RocksDB's own {@code default} column family (which stays empty).
 * Column families on disk that the config does not list are opened (RocksDB insists) but not
 * reachable.
 *
 * <p>Keys compare with RocksDB's default bytewise comparator, which is unsigned lexicographic.
 *
 * <p>Lifetime: every call holds the read side of {@link #lifecycle} while it touches a native
 * handle, and {@link #close()} frees them under the write side, so a call after close fails with
 * {@code CLOSED} instead of crashing the JVM on freed memory. Per-call native objects (read
 * options, slices, iterators, write batches) are closed by try-with-resources.
 *
 * <p>Durability: the write-ahead log is always on; {@code SYNCED} writes fsync it, {@code NOT_SYNCED}
 * ones only hand it to the OS, so they survive a process crash but not a power loss.
 */
final class RocksDbBackend implements Backend {

    private static final String COLUMN_FAMILY_PREFIX = "keyspace:";
    private static final byte[] SMALLEST_KEY = new byte[0];

    /** As given in the config, for {@link #directory()}. */
    private final Path configuredDirectory;
    /** Absolute, for RocksDB and messages. */
    private final Path directory;
    private final Set<String> keyspaces;
    private final RocksDB db;
    /** Keyspace name to its column family; immutable. */
    private final Map<String, ColumnFamilyHandle> keyspaceHandles;
    /** Every opened column family, reachable or not; closed before the database. */
    private final List<ColumnFamilyHandle> allHandles;
    private final WriteOptions syncedWrites;
    private final WriteOptions unsyncedWrites;
    /** Options, cache and filter, closed after the database, in this order. */
    private final List<AutoCloseable> nativeSettings;

    private final Lifecycle lifecycle;
    /**
     * Ordinary writes share it; a batch with an open-ended delete-range takes it alone, so that the
     * last key it reads stays the last key until its batch is written (see {@link #write}).
     */
    private final ReentrantReadWriteLock writeGate = new ReentrantReadWriteLock();
    private final Set<RocksDbSnapshot> openSnapshots = ConcurrentHashMap.newKeySet();
    /** Manual compactions in progress; close() cancels them. Guarded by itself. */
    private final Set<CompactRangeOptions> runningCompactions = new HashSet<>();
    /** Guarded by {@link #runningCompactions}. */
    private boolean closing;

    private RocksDbBackend(Path configuredDirectory, Path directory, Set<String> keyspaces, RocksDB db, Map<String, ColumnFamilyHandle> keyspaceHandles,
            List<ColumnFamilyHandle> allHandles, List<AutoCloseable> nativeSettings) {
        this.configuredDirectory = configuredDirectory;
        this.directory = directory;
        this.keyspaces = keyspaces;
        this.db = db;
        this.keyspaceHandles = keyspaceHandles;
        this.allHandles = allHandles;
        this.nativeSettings = nativeSettings;
        this.syncedWrites = new WriteOptions().setSync(true);
        this.unsyncedWrites = new WriteOptions().setSync(false);
        this.lifecycle = new Lifecycle("RocksDB backend " + directory);
    }

    // ---------------------------------------------------------------- open

    static RocksDbBackend open(BackendConfig config) {
        RocksDbTuning tuning = RocksDbTuning.parse(config.options());
        Path directory = config.directory().toAbsolutePath();
        BackendDirectory.claim(directory, RocksDbStorageProvider.ID, RocksDbStorageProvider.FORMAT_VERSION);
        boolean create = isNewDatabase(directory);
        RocksDB.loadLibrary();

        List<AutoCloseable> nativeSettings = new ArrayList<>();
        List<ColumnFamilyHandle> allHandles = new ArrayList<>();
        try {
            LRUCache blockCache = remember(nativeSettings, new LRUCache(tuning.blockCacheBytes()));
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(blockCache)
                    // Index and filter blocks count against the cache, so memory stays bounded by it.
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true);
            if (tuning.bloomBitsPerKey() > 0) {
                table.setFilterPolicy(remember(nativeSettings, new BloomFilter(tuning.bloomBitsPerKey())));
            }
            ColumnFamilyOptions familyOptions = remember(nativeSettings, new ColumnFamilyOptions()
                    .setWriteBufferSize(tuning.writeBufferBytes())
                    .setTableFormatConfig(table));
            RocksDbLogger logger = remember(nativeSettings, new RocksDbLogger(directory.toString()));
            // paranoid_checks stays on and WAL recovery stays point-in-time (RocksDB's defaults);
            // never best-efforts recovery: damage must surface as CORRUPTED, not be repaired away.
            DBOptions dbOptions = remember(nativeSettings, new DBOptions()
                    .setCreateIfMissing(create)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(tuning.maxBackgroundJobs())
                    .setDbWriteBufferSize(tuning.totalWriteBufferBytes())
                    .setLogger(logger));

            List<byte[]> existing = create ? List.of() : listColumnFamilies(directory, dbOptions, familyOptions);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
            Set<String> names = new HashSet<>(List.of(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8)));
            for (byte[] name : existing) {
                if (names.add(new String(name, StandardCharsets.UTF_8))) {
                    descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
                }
            }
            for (String keyspace : config.keyspaces()) {
                if (names.add(COLUMN_FAMILY_PREFIX + keyspace)) {
                    descriptors.add(new ColumnFamilyDescriptor(
                            (COLUMN_FAMILY_PREFIX + keyspace).getBytes(StandardCharsets.UTF_8), familyOptions));
                }
            }
            RocksDB db;
            try {
                db = RocksDB.open(dbOptions, directory.toString(), descriptors, allHandles);
            } catch (RocksDBException e) {
                throw openFailure(directory, e);
            }
            Map<String, ColumnFamilyHandle> byKeyspace = new HashMap<>();
            for (int i = 0; i < descriptors.size(); i++) {
                String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
                if (name.startsWith(COLUMN_FAMILY_PREFIX) && config.keyspaces().contains(name.substring(COLUMN_FAMILY_PREFIX.length()))) {
                    byKeyspace.put(name.substring(COLUMN_FAMILY_PREFIX.length()), allHandles.get(i));
                }
            }
            return new RocksDbBackend(config.directory(), directory, config.keyspaces(), db, Map.copyOf(byKeyspace), List.copyOf(allHandles),
                    List.copyOf(nativeSettings));
        } catch (RuntimeException | Error e) {
            allHandles.forEach(ColumnFamilyHandle::close);
            closeInReverse(nativeSettings, e);
            throw e;
        }
    }

    /**
     * Whether RocksDB may create a database here: only if there is no CURRENT file and no MANIFEST,
     * table, blob or WAL file either. A lost CURRENT next to such files is damage; creating a fresh
     * database over them would hide (and later overwrite) the data.
     */
    private static boolean isNewDatabase(Path directory) {
        if (Files.exists(directory.resolve("CURRENT"), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        List<String> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith("MANIFEST-") || name.endsWith(".sst") || name.endsWith(".log") || name.endsWith(".blob")) {
                    leftovers.add(name);
                }
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot list " + directory + ": " + e, e);
        }
        if (!leftovers.isEmpty()) {
            Collections.sort(leftovers);
            throw new StorageException(Reason.CORRUPTED, "RocksDB directory " + directory
                    + " has no CURRENT file but holds database files " + leftovers + "; refusing to create a new database over them");
        }
        return true;
    }

    private static List<byte[]> listColumnFamilies(Path directory, DBOptions dbOptions, ColumnFamilyOptions familyOptions) {
        try (Options options = new Options(dbOptions, familyOptions)) {
            return RocksDB.listColumnFamilies(options, directory.toString());
        } catch (RocksDBException e) {
            throw openFailure(directory, e);
        }
    }

    /**
     * At open, the directory is ours (the marker says so) and its CURRENT exists, so a file that
     * RocksDB's own metadata names but cannot find is damage, not an ordinary I/O error.
     */
    private static StorageException openFailure(Path directory, RocksDBException e) {
        Reason reason = RocksDbErrors.reasonOf(e);
        String message = String.valueOf(e.getMessage());
        if (reason == Reason.IO && (message.contains("No such file or directory") || message.contains("NotFound"))) {
            reason = Reason.CORRUPTED;
        }
        String hint = switch (reason) {
            case LOCKED -> "; another backend (in this or another process) has it open";
            case CORRUPTED -> "; its files are damaged, nothing was repaired or deleted";
            default -> "";
        };
        return new StorageException(reason, "cannot open RocksDB in " + directory + ": " + RocksDbErrors.describe(e) + hint, e);
    }

    private static <T extends AutoCloseable> T remember(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    private static void closeInReverse(List<AutoCloseable> resources, Throwable failure) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    // ---------------------------------------------------------------- metadata

    @Override
    public Path directory() {
        lifecycle.enter();
        lifecycle.exit();
        return configuredDirectory;
    }

    @Override
    public Set<String> keyspaces() {
        lifecycle.enter();
        lifecycle.exit();
        return keyspaces;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public byte[] get(String keyspace, byte[] key) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Objects.requireNonNull(key, "key is null");
        lifecycle.enter();
        try {
            return get(null, keyspace, key);
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        checkScanArguments(keyspace, order, limit, visitor);
        lifecycle.enter();
        try {
            return scan(null, keyspace, start, end, order, limit, visitor);
        } finally {
            lifecycle.exit();
        }
    }

    static void checkScanArguments(String keyspace, ScanOrder order, int limit, EntryVisitor visitor) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Objects.requireNonNull(order, "order is null");
        Objects.requireNonNull(visitor, "visitor is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit is " + limit + "; expected 0 (no limit) or more");
        }
    }

    /** A point read, at {@code options}' snapshot or (null) the latest state. Caller holds the lifecycle. */
    byte[] get(ReadOptions options, String keyspace, byte[] key) {
        ColumnFamilyHandle handle = handle(keyspace);
        try {
            return options == null ? db.get(handle, key) : db.get(handle, options, key);
        } catch (RocksDBException e) {
            throw RocksDbErrors.translate("get from keyspace '" + keyspace + "' in " + directory, e);
        }
    }

    /**
     * A bounded scan at {@code snapshot} or (null) the latest state. The iterator bounds do the
     * range: with an upper bound, RocksDB's SeekToLast lands on the greatest key below it, and Prev
     * stops at the lower bound. Caller holds the lifecycle.
     */
    int scan(Snapshot snapshot, String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        ColumnFamilyHandle handle = handle(keyspace);
        if (start != null && end != null && Arrays.compareUnsigned(start, end) >= 0) {
            return 0;
        }
        // Slices must outlive the ReadOptions that point at them, which must outlive the iterator;
        // try-with-resources closes in reverse order.
        try (Slice lower = start == null || start.length == 0 ? null : new Slice(start);
                Slice upper = end == null ? null : new Slice(end);
                ReadOptions options = new ReadOptions()) {
            if (snapshot != null) {
                options.setSnapshot(snapshot);
            }
            if (lower != null) {
                options.setIterateLowerBound(lower);
            }
            if (upper != null) {
                options.setIterateUpperBound(upper);
            }
            try (RocksIterator iterator = db.newIterator(handle, options)) {
                boolean ascending = order == ScanOrder.ASCENDING;
                if (ascending) {
                    iterator.seekToFirst();
                } else {
                    iterator.seekToLast();
                }
                int visited = 0;
                while (iterator.isValid()) {
                    visited++;
                    if (!visitor.visit(iterator.key(), iterator.value()) || visited == limit) {
                        break;
                    }
                    if (ascending) {
                        iterator.next();
                    } else {
                        iterator.prev();
                    }
                }
                iterator.status();
                return visited;
            }
        } catch (RocksDBException e) {
            throw RocksDbErrors.translate("scan of keyspace '" + keyspace + "' in " + directory, e);
        }
    }

    private ColumnFamilyHandle handle(String keyspace) {
        ColumnFamilyHandle handle = keyspaceHandles.get(keyspace);
        if (handle == null) {
            throw new IllegalArgumentException("unknown keyspace '" + keyspace + "'; this backend was opened with "
                    + new TreeSet<>(keyspaces));
        }
        return handle;
    }

    // ---------------------------------------------------------------- writes

    /**
     * One RocksDB write batch per call. An open-ended delete-range ({@code end == null}) has no
     * end key to give RocksDB (no key is greater than every key), so it becomes
     * {@code deleteRange(start, last)} plus {@code delete(last)}, where {@code last} is the greatest
     * key that can exist when the operation applies: the greater of the keyspace's last key and the
     * greatest key put earlier in the same batch. Such a batch holds the write gate exclusively from
     * reading the last key until its write returns, so no concurrent write can add a greater key
     * in between.
     */
    @Override
    public void write(WriteBatch batch, Durability durability) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(durability, "durability is null");
        lifecycle.enter();
        try {
            List<WriteBatch.Operation> operations = List.copyOf(batch.operations());
            boolean openEnded = false;
            for (WriteBatch.Operation operation : operations) {
                handle(operation.keyspace()); // fails before anything is written
                openEnded |= operation instanceof WriteBatch.DeleteRange range && range.end() == null;
            }
            if (operations.isEmpty()) {
                if (durability == Durability.SYNCED) {
                    db.flushWal(true);
                }
                return;
            }
            Lock gate = openEnded ? writeGate.writeLock() : writeGate.readLock();
            gate.lock();
            try (org.rocksdb.WriteBatch nativeBatch = new org.rocksdb.WriteBatch()) {
                GreatestKeys greatest = openEnded ? new GreatestKeys() : null;
                for (WriteBatch.Operation operation : operations) {
                    ColumnFamilyHandle handle = keyspaceHandles.get(operation.keyspace());
                    switch (operation) {
                        case WriteBatch.Put put -> {
                            nativeBatch.put(handle, put.key(), put.value());
                            if (greatest != null) {
                                greatest.notePut(put.keyspace(), put.key());
                            }
                        }
                        case WriteBatch.Delete delete -> nativeBatch.delete(handle, delete.key());
                        case WriteBatch.DeleteRange range -> {
                            byte[] start = range.start() == null ? SMALLEST_KEY : range.start();
                            if (range.end() != null) {
                                if (Arrays.compareUnsigned(start, range.end()) < 0) {
                                    nativeBatch.deleteRange(handle, start, range.end());
                                }
                            } else {
                                byte[] last = greatest.lastKey(range.keyspace(), handle);
                                if (last != null && Arrays.compareUnsigned(start, last) <= 0) {
                                    nativeBatch.deleteRange(handle, start, last);
                                    nativeBatch.delete(handle, last);
                                }
                            }
                        }
                    }
                }
                db.write(durability == Durability.SYNCED ? syncedWrites : unsyncedWrites, nativeBatch);
            } finally {
                gate.unlock();
            }
        } catch (RocksDBException e) {
            throw RocksDbErrors.translate("write of a batch of " + batch.size() + " operations to " + directory, e);
        } finally {
            lifecycle.exit();
        }
    }

    /** Per keyspace, the greatest key that exists or is put so far in the batch being built. */
    private final class GreatestKeys {
        private final Map<String, byte[]> stored = new HashMap<>();
        private final Map<String, byte[]> put = new HashMap<>();

        void notePut(String keyspace, byte[] key) {
            put.merge(keyspace, key, GreatestKeys::max);
        }

        byte[] lastKey(String keyspace, ColumnFamilyHandle handle) throws RocksDBException {
            if (!stored.containsKey(keyspace)) {
                stored.put(keyspace, lastStoredKey(handle));
            }
            return max(stored.get(keyspace), put.get(keyspace));
        }

        private static byte[] max(byte[] a, byte[] b) {
            if (a == null) {
                return b;
            }
            if (b == null) {
                return a;
            }
            return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
        }
    }

    private byte[] lastStoredKey(ColumnFamilyHandle handle) throws RocksDBException {
        try (RocksIterator iterator = db.newIterator(handle)) {
            iterator.seekToLast();
            if (iterator.isValid()) {
                return iterator.key();
            }
            iterator.status();
            return null;
        }
    }

    @Override
    public void flush() {
        lifecycle.enter();
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw RocksDbErrors.translate("sync of the write-ahead log in " + directory, e);
        } finally {
            lifecycle.exit();
        }
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public ReadSnapshot snapshot() {
        lifecycle.enter();
        try {
            RocksDbSnapshot snapshot = new RocksDbSnapshot(this, db, db.getSnapshot());
            openSnapshots.add(snapshot);
            return snapshot;
        } finally {
            lifecycle.exit();
        }
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Called by a snapshot that closed itself while the backend is open. */
    void forget(RocksDbSnapshot snapshot) {
        openSnapshots.remove(snapshot);
    }

    // ---------------------------------------------------------------- maintenance

    @Override
    public void checkpoint(Path target) {
        Objects.requireNonNull(target, "target is null");
        lifecycle.enter();
        try {
            Path absolute = target.toAbsolutePath();
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw new StorageException(Reason.IO, "checkpoint target " + absolute + " already exists");
            }
            Path parent = absolute.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new StorageException(Reason.IO, "the parent of checkpoint target " + absolute + " is not a directory");
            }
            Path staging = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
                // RocksDB stages the copy there and would empty an existing directory of that name.
                throw new StorageException(Reason.IO, "checkpoint staging directory " + staging
                        + " already exists; RocksDB would delete its contents, so move it away first");
            }
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                // RocksDB builds the copy in "<target>.tmp" and renames it at the end; on failure it
                // removes its staging directory itself, and the target never existed.
                checkpoint.createCheckpoint(absolute.toString());
            } catch (RocksDBException e) {
                throw RocksDbErrors.translate("checkpoint of " + directory + " to " + absolute, e);
            }
            try {
                BackendDirectory.writeMarker(absolute, RocksDbStorageProvider.ID, RocksDbStorageProvider.FORMAT_VERSION);
            } catch (RuntimeException e) {
                deleteTree(absolute, e);
                throw e;
            }
        } finally {
            lifecycle.exit();
        }
    }

    private static void deleteTree(Path root, Throwable failure) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Size: every regular file directly in the directory (RocksDB keeps no subdirectories), so SST
     * files, the write-ahead log, MANIFEST and the rest. Keys: RocksDB's
     * {@code rocksdb.estimate-num-keys} per column family, which ignores range deletions until a
     * compaction drops the entries they cover.
     */
    @Override
    public BackendStats stats() {
        lifecycle.enter();
        try {
            Map<String, Long> keys = new LinkedHashMap<>();
            for (String keyspace : new TreeSet<>(keyspaces)) {
                keys.put(keyspace, db.getLongProperty(keyspaceHandles.get(keyspace), "rocksdb.estimate-num-keys"));
            }
            return new BackendStats(directorySize(), keys);
        } catch (RocksDBException e) {
            throw RocksDbErrors.translate("statistics of " + directory, e);
        } finally {
            lifecycle.exit();
        }
    }

    private long directorySize() {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isRegularFile()) {
                        total += attributes.size();
                    }
                } catch (NoSuchFileException e) {
                    // Deleted by a compaction or flush while we listed; it no longer takes space.
                }
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "cannot measure " + directory + ": " + e, e);
        }
        return total;
    }

    /**
     * Compacts every keyspace's column family fully, including the bottommost level, so that
     * tombstones and the entries they cover are dropped. Close cancels a compaction in progress
     * (which then fails with {@code CLOSED}) instead of waiting for it.
     */
    @Override
    public void compact() {
        lifecycle.enter();
        try {
            for (String keyspace : new TreeSet<>(keyspaces)) {
                // setCanceled(false) now installs the native flag, so that close() later only flips
                // an atomic and does not write the options' pointer while RocksDB reads it.
                try (CompactRangeOptions options = new CompactRangeOptions()
                        .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)
                        .setCanceled(false)) {
                    synchronized (runningCompactions) {
                        if (closing) {
                            throw new StorageException(Reason.CLOSED, lifecycle.subject() + " is closing; compaction stopped");
                        }
                        runningCompactions.add(options);
                    }
                    try {
                        db.compactRange(keyspaceHandles.get(keyspace), null, null, options);
                    } catch (RocksDBException e) {
                        synchronized (runningCompactions) {
                            if (closing) {
                                throw new StorageException(Reason.CLOSED, lifecycle.subject() + " closed during compaction", e);
                            }
                        }
                        throw RocksDbErrors.translate("compaction of keyspace '" + keyspace + "' in " + directory, e);
                    } finally {
                        synchronized (runningCompactions) {
                            runningCompactions.remove(options);
                        }
                    }
                }
            }
        } finally {
            lifecycle.exit();
        }
    }

    // ---------------------------------------------------------------- close

    /**
     * Cancels running compactions, waits for calls in progress, closes open snapshots, syncs the
     * write-ahead log (so NOT_SYNCED writes become durable), then frees every native object. If the
     * final sync or RocksDB's close fails, everything is still freed and the failure is thrown.
     */
    @Override
    public void close() {
        lifecycle.checkNotInsideCall();
        synchronized (runningCompactions) {
            closing = true;
            for (CompactRangeOptions running : runningCompactions) {
                running.setCanceled(true);
            }
        }
        if (!lifecycle.beginClose()) {
            return;
        }
        StorageException failure = null;
        try {
            for (RocksDbSnapshot snapshot : openSnapshots) {
                snapshot.closeWithBackend();
            }
            openSnapshots.clear();
            try {
                db.flushWal(true);
            } catch (RocksDBException e) {
                failure = RocksDbErrors.translate("sync of the write-ahead log on close of " + directory, e);
            }
            allHandles.forEach(ColumnFamilyHandle::close);
            try {
                db.closeE();
            } catch (RocksDBException e) {
                StorageException closeFailure = RocksDbErrors.translate("close of " + directory, e);
                if (failure == null) {
                    failure = closeFailure;
                } else {
                    failure.addSuppressed(closeFailure);
                }
            }
            syncedWrites.close();
            unsyncedWrites.close();
            RuntimeException settingsFailure = new RuntimeException("closing RocksDB options");
            closeInReverse(nativeSettings, settingsFailure);
            if (settingsFailure.getSuppressed().length > 0 && failure == null) {
                failure = new StorageException(Reason.IO, "cannot free RocksDB options of " + directory, settingsFailure);
            }
        } finally {
            lifecycle.endClose();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "RocksDbBackend[" + directory + ", keyspaces=" + new TreeSet<>(keyspaces) + "]";
    }
}
