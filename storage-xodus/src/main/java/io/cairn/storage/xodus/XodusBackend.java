package io.cairn.storage.xodus;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ExodusException;
import jetbrains.exodus.core.dataStructures.Priority;
import jetbrains.exodus.core.execution.LatchJob;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentImpl;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;
import jetbrains.exodus.gc.GarbageCollector;
import jetbrains.exodus.log.Log;
import jetbrains.exodus.log.LogUtil;

/**
 * A {@link Backend} on one Xodus environment: each keyspace is a Xodus B+tree store without duplicates, each
 * {@link #write} one exclusive read-write transaction, each snapshot one read-only transaction (Xodus is MVCC).
 *
 * <p>Locking: {@link #lifecycle} is held shared by every call and exclusively by {@link #close()}, so close waits
 * for calls in progress and every later call sees {@link #closed}. {@link #writeLock} serializes batches (Xodus
 * allows one writer; queueing here keeps the exclusive transaction from ever conflicting).
 *
 * <p>Durability: the environment does not fsync commits; {@code SYNCED} writes, {@link #flush()} and {@link #close()}
 * force the log, then record the forced address in the {@link DurableWatermark} that the next open checks.
 */
@SuppressWarnings("try") // "try (Entered entered = enter())" holds the lifecycle lock for the block; it is not read
final class XodusBackend implements Backend {

    /** B+tree, not Patricia: Xodus 2.0.1's Patricia cursor walks backwards out of order when keys are prefixes of others. */
    static final StoreConfig STORE_CONFIG = StoreConfig.WITHOUT_DUPLICATES;
    /** Retries of a batch whose commit Xodus rejects as stale; with an exclusive transaction this does not happen. */
    private static final int MAX_COMMIT_ATTEMPTS = 8;

    private final Path directory;
    private final EnvironmentImpl environment;
    /** Keyspace name to store; fixed at open, iteration order sorted for messages. */
    private final Map<String, Store> stores;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Lock writeLock = new ReentrantLock();
    private final Set<XodusSnapshot> openSnapshots = ConcurrentHashMap.newKeySet();
    private final DurableWatermark watermark;
    /** Checkpoints in progress, each of which wants GC suspended; guarded by {@code this}. */
    private int gcSuspensions;
    /** Written only under the exclusive {@link #lifecycle} lock. */
    private volatile boolean closed;

    XodusBackend(Path directory, EnvironmentImpl environment, Map<String, Store> stores, DurableWatermark watermark) {
        this.directory = directory;
        this.environment = environment;
        this.stores = stores;
        this.watermark = watermark;
    }

    @Override
    public Path directory() {
        try (Entered entered = enter()) {
            return directory;
        }
    }

    /** The directory, also after close (for messages). */
    Path location() {
        return directory;
    }

    @Override
    public Set<String> keyspaces() {
        try (Entered entered = enter()) {
            return Set.copyOf(stores.keySet());
        }
    }

    @Override
    public byte[] get(String keyspace, byte[] key) {
        try (Entered entered = enter()) {
            Store store = store(keyspace);
            Objects.requireNonNull(key, "key is null");
            Transaction txn = environment.beginReadonlyTransaction();
            try {
                return StoreReads.get(store, txn, key);
            } catch (ExodusException e) {
                throw XodusFailures.of("get from keyspace '" + keyspace + "' in " + directory, e);
            } finally {
                txn.abort();
            }
        }
    }

    @Override
    public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
        try (Entered entered = enter()) {
            Store store = store(keyspace);
            checkScan(order, limit, visitor);
            Transaction txn = environment.beginReadonlyTransaction();
            try {
                return StoreReads.scan(store, txn, start, end, order, limit, visitor);
            } catch (ExodusException e) {
                throw XodusFailures.of("scan of keyspace '" + keyspace + "' in " + directory, e);
            } finally {
                txn.abort();
            }
        }
    }

    @Override
    public void write(WriteBatch batch, Durability durability) {
        try (Entered entered = enter()) {
            Objects.requireNonNull(batch, "batch is null");
            Objects.requireNonNull(durability, "durability is null");
            for (WriteBatch.Operation operation : batch.operations()) {
                store(operation.keyspace()); // unknown keyspace: refuse before anything is written
            }
            if (!batch.isEmpty()) {
                writeLock.lock();
                try {
                    commit(batch);
                } finally {
                    writeLock.unlock();
                }
            }
            if (durability == Durability.SYNCED) {
                // The environment runs with durable writes off (so NOT_SYNCED commits are not fsync'd); this forces
                // the log's current file. Earlier, full files were fsync'd by Xodus when it moved to a new file.
                sync("write");
            }
        }
    }

    private void commit(WriteBatch batch) {
        Transaction txn = environment.beginExclusiveTransaction();
        try {
            for (int attempt = 1; ; attempt++) {
                apply(batch, txn);
                if (txn.flush()) {
                    return;
                }
                if (attempt == MAX_COMMIT_ATTEMPTS) {
                    throw new StorageException(StorageException.Reason.IO, "Xodus rejected the commit of a batch of "
                            + batch.size() + " operations " + attempt + " times in " + directory);
                }
                txn.revert();
            }
        } catch (ExodusException e) {
            throw XodusFailures.of("write of a batch of " + batch.size() + " operations in " + directory, e);
        } finally {
            txn.abort(); // after a successful flush, this only ends the transaction
        }
    }

    private void apply(WriteBatch batch, Transaction txn) {
        for (WriteBatch.Operation operation : batch.operations()) {
            Store store = stores.get(operation.keyspace());
            switch (operation) {
                // copies: Xodus keeps the iterables of a transaction until it commits, the caller's arrays stay theirs
                case WriteBatch.Put put ->
                        store.put(txn, new ArrayByteIterable(put.key().clone()), new ArrayByteIterable(put.value().clone()));
                case WriteBatch.Delete delete -> store.delete(txn, new ArrayByteIterable(delete.key().clone()));
                case WriteBatch.DeleteRange range -> StoreReads.deleteRange(store, txn, range.start(), range.end());
            }
        }
    }

    @Override
    public ReadSnapshot snapshot() {
        try (Entered entered = enter()) {
            Transaction txn;
            try {
                txn = environment.beginReadonlyTransaction();
            } catch (ExodusException e) {
                throw XodusFailures.of("snapshot of " + directory, e);
            }
            XodusSnapshot snapshot = new XodusSnapshot(this, txn);
            openSnapshots.add(snapshot);
            return snapshot;
        }
    }

    void forget(XodusSnapshot snapshot) {
        openSnapshots.remove(snapshot);
    }

    @Override
    public void flush() {
        try (Entered entered = enter()) {
            sync("flush");
        }
    }

    private void sync(String what) {
        try {
            long written = environment.getLog().getHighAddress(); // before the fsync: all of it is written already
            environment.flushAndSync();
            watermark.advance(written);
        } catch (ExodusException e) {
            throw XodusFailures.of(what + ": fsync of the log in " + directory, e);
        }
    }

    /**
     * Copies the state of a read-only transaction: the log files below its high address, the file that holds that
     * address cut there (Xodus's log is append-only, so those bytes never change; full files are hard-linked). The
     * copy ends right after the transaction's database root, so Xodus opens it as that state without recovery. GC is
     * suspended meanwhile, and the open transaction keeps GC from deleting files it may need.
     */
    @Override
    public void checkpoint(Path target) {
        try (Entered entered = enter()) {
            Objects.requireNonNull(target, "target is null");
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new StorageException(StorageException.Reason.IO, "checkpoint target " + target + " already exists");
            }
            Path parent = target.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new StorageException(StorageException.Reason.IO, "checkpoint target's parent " + parent + " is not a directory");
            }
            suspendGc();
            try {
                copyTo(target);
            } finally {
                resumeGc();
            }
        }
    }

    private void copyTo(Path target) {
        Transaction txn;
        try {
            txn = environment.beginReadonlyTransaction();
        } catch (ExodusException e) {
            throw XodusFailures.of("checkpoint of " + directory, e);
        }
        boolean created = false;
        try {
            long highAddress = txn.getHighAddress();
            long fileLength = environment.getEnvironmentConfig().getLogFileSize() * 1024L;
            Files.createDirectory(target);
            created = true;
            for (Path file : logFiles(directory)) {
                long address = LogUtil.getAddress(file.getFileName().toString());
                if (address >= highAddress) {
                    continue; // written after the snapshot
                }
                Path copy = target.resolve(file.getFileName());
                try {
                    long size = Files.size(file);
                    long needed = Math.min(size, highAddress - address);
                    if (needed == fileLength && size == fileLength && tryHardLink(copy, file)) {
                        continue;
                    }
                    copyPrefix(file, copy, needed);
                } catch (NoSuchFileException e) {
                    // GC deleted it meanwhile; it cannot delete a file the open transaction reads, so the
                    // snapshot does not need this one
                    Files.deleteIfExists(copy);
                }
            }
            DurableWatermark.writeDurably(target, highAddress); // every copied byte is forced already
            BackendDirectory.writeMarker(target, XodusStorageProvider.ID, XodusStorageProvider.FORMAT_VERSION);
        } catch (IOException | UncheckedIOException | ExodusException | StorageException e) {
            if (created) {
                deleteRecursively(target);
            }
            if (e instanceof StorageException storageException) {
                throw storageException;
            }
            throw new StorageException(StorageException.Reason.IO, "checkpoint of " + directory + " to " + target + " failed: " + e, e);
        } finally {
            txn.abort();
        }
    }

    /** Xodus's suspend is a flag, not a count: count here, so that one checkpoint ending does not resume GC under another. */
    private synchronized void suspendGc() {
        if (gcSuspensions++ == 0) {
            environment.suspendGC();
        }
    }

    private synchronized void resumeGc() {
        if (--gcSuspensions == 0) {
            environment.resumeGC();
        }
    }

    private static boolean tryHardLink(Path link, Path existing) {
        try {
            Files.createLink(link, existing);
            return true;
        } catch (UnsupportedOperationException | IOException e) {
            return false; // another file system, or links not allowed: copy instead
        }
    }

    private static void copyPrefix(Path source, Path target, long length) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long position = 0;
            while (position < length) {
                long copied = in.transferTo(position, length - position, out);
                if (copied <= 0) {
                    if (in.size() < length) {
                        throw new IOException(source + " is shorter (" + in.size() + " bytes) than the " + length + " bytes to copy");
                    }
                    // transferTo may copy nothing without failing; fall back to a plain read
                    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(1 << 16, length - position));
                    int read = in.read(buffer, position);
                    if (read <= 0) {
                        throw new IOException("cannot read " + source + " at " + position);
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    copied = read;
                }
                position += copied;
            }
            out.force(true);
        }
    }

    /** The backend's sizes: bytes of every file in the directory, and each store's key count (a B+tree keeps it). */
    @Override
    public BackendStats stats() {
        try (Entered entered = enter()) {
            long bytes = 0;
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attributes.isRegularFile()) {
                        bytes += attributes.size();
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot list " + directory + ": " + e, e);
            }
            Map<String, Long> keys = new LinkedHashMap<>();
            Transaction txn = environment.beginReadonlyTransaction();
            try {
                for (Map.Entry<String, Store> entry : stores.entrySet()) {
                    keys.put(entry.getKey(), entry.getValue().count(txn));
                }
            } catch (ExodusException e) {
                throw XodusFailures.of("stats of " + directory, e);
            } finally {
                txn.abort();
            }
            return new BackendStats(bytes, keys);
        }
    }

    /**
     * Runs Xodus's garbage collector over every log file but the one being written: live entries move to the end
     * of the log, and the old files are deleted once no transaction can read them any more. That is at once unless
     * a snapshot older than the compaction is open; then its files go when it closes.
     */
    @Override
    public void compact() {
        try (Entered entered = enter()) {
            GarbageCollector gc = environment.getGC();
            Log log = environment.getLog();
            RuntimeException[] failure = new RuntimeException[1];
            // On the cleaner's own thread, so that it does not race the background collector over the same files.
            LatchJob cleanAll = new LatchJob() {
                @Override
                protected void execute() {
                    try {
                        long writtenFile = log.getHighFileAddress();
                        for (long file : log.getAllFileAddresses()) {
                            // cleaning one file may delete others cleaned earlier (their deletion was waiting for a
                            // snapshot): clean only what is still in the log
                            if (file != writtenFile && contains(log.getAllFileAddresses(), file)) {
                                gc.doCleanFile(file);
                            }
                        }
                    } catch (RuntimeException e) {
                        failure[0] = e;
                    } finally {
                        release();
                    }
                }
            };
            // lowest priority: after the deletions already queued, so that their files are gone first
            if (!gc.getCleanerJobProcessor().waitForLatchJob(cleanAll, 100, Priority.lowest)) {
                throw new StorageException(StorageException.Reason.IO, "Xodus's garbage collector of " + directory + " is not running");
            }
            if (failure[0] != null) {
                throw failure[0] instanceof ExodusException e
                        ? XodusFailures.of("compaction of " + directory, e)
                        : failure[0];
            }
            gc.waitForPendingGC(); // the deletions the cleaning queued on the same thread
        }
    }

    private static boolean contains(long[] values, long value) {
        for (long candidate : values) {
            if (candidate == value) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (XodusSnapshot snapshot : List.copyOf(openSnapshots)) {
                snapshot.closeBecauseBackendCloses();
            }
            openSnapshots.clear();
            try {
                long written = environment.getLog().getHighAddress();
                environment.close(); // syncs the log, so NOT_SYNCED writes become durable, and releases xd.lck
                watermark.advanceAndForce(written);
            } catch (ExodusException e) {
                throw XodusFailures.of("close of " + directory, e);
            } finally {
                watermark.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The store of {@code keyspace}, checked as the SPI requires. */
    Store store(String keyspace) {
        Objects.requireNonNull(keyspace, "keyspace is null");
        Store store = stores.get(keyspace);
        if (store == null) {
            throw new IllegalArgumentException("unknown keyspace '" + keyspace + "'; this backend has " + new TreeSet<>(stores.keySet()));
        }
        return store;
    }

    static void checkScan(ScanOrder order, int limit, EntryVisitor visitor) {
        Objects.requireNonNull(order, "order is null");
        Objects.requireNonNull(visitor, "visitor is null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
    }

    /** Holds {@link #lifecycle} shared for one call; refuses once closed. */
    private Entered enter() {
        Lock shared = lifecycle.readLock();
        shared.lock();
        if (closed) {
            shared.unlock();
            throw new StorageException(StorageException.Reason.CLOSED, "the Xodus backend in " + directory + " is closed");
        }
        return shared::unlock;
    }

    @FunctionalInterface
    private interface Entered extends AutoCloseable {
        @Override
        void close();
    }

    /** The Xodus log files ({@code *.xd}) of {@code directory}, by name (which orders them by address). */
    static List<Path> logFiles(Path directory) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + LogUtil.LOG_FILE_EXTENSION)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.length() == LogUtil.LOG_FILE_NAME_WITH_EXT_LENGTH && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(name, entry);
                }
            }
        }
        return new ArrayList<>(files.values());
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the original failure is what the caller needs to see
        }
    }
}
