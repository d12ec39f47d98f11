package io.cairn.conformance;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ReadView;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.WriteBatch;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * The kit's reference backend, to develop and test the kit without a plugin: sorted maps in memory,
 * made durable by an append-only log of batches (length, CRC32C, operations), fsync'd for SYNCED
 * writes and replayed on open. A torn last record (a crash in the middle of an append) is cut off;
 * damage anywhere else is {@code CORRUPTED}. Each {@link Fault} breaks one promise of the SPI on
 * purpose, so that {@code BrokenBackendTest} can check that the kit notices.
 *
 * <p>Not on the module path as a service (test classes cannot add {@code provides} to the module they
 * patch); the child JVM of the process-level rules finds it through
 * {@link CrashWriter#EXTRA_PROVIDERS_PROPERTY}.
 */
public final class ReferenceStorageProvider implements StorageProvider {

    /** A deliberate violation of the SPI contract. */
    enum Fault {
        /** Writes only the first half of every batch of two operations or more. */
        LOSES_SECOND_HALF_OF_BATCH,
        /** Orders keys as signed bytes. */
        SIGNED_ORDER,
        /** Snapshots read the live state. */
        SNAPSHOT_SEES_LATER_WRITES,
        /** Scans ignore their limit. */
        IGNORES_LIMIT,
        /** get and scan keep working after close. */
        READS_AFTER_CLOSE
    }

    static final String ID = "reference";
    private static final int FORMAT = 1;
    private static final String LOG = "batches.log";
    private static final String LOCK = "LOCK";
    private static final byte[] MAGIC = "CAIRN-REFERENCE-LOG-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte DELETE_RANGE = 3;

    private final Set<Fault> faults;

    /** System property with faults (comma-separated names) for the no-argument constructor, used in child JVMs. */
    static final String FAULTS_PROPERTY = "io.cairn.conformance.reference.faults";

    /**
     * The constructor the child JVM calls: a correct backend, unless {@value #FAULTS_PROPERTY} names
     * faults.
     */
    public ReferenceStorageProvider() {
        this(faultsFromProperty());
    }

    private static Set<Fault> faultsFromProperty() {
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String name : System.getProperty(FAULTS_PROPERTY, "").split(",")) {
            if (!name.isBlank()) {
                faults.add(Fault.valueOf(name.trim()));
            }
        }
        return faults;
    }

    ReferenceStorageProvider(Set<Fault> faults) {
        this.faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "reference backend of the conformance kit (sorted maps and a batch log)" + (faults.isEmpty() ? "" : ", broken: " + faults);
    }

    @Override
    public Backend open(BackendConfig config) {
        Objects.requireNonNull(config, "config is null");
        for (String key : config.options().keySet()) {
            if (key.startsWith(ID + ".")) {
                throw new IllegalArgumentException("unknown option '" + key + "' of provider '" + ID + "'");
            }
        }
        Path directory = config.directory();
        BackendDirectory.claim(directory, ID, FORMAT);
        FileChannel lockChannel = null;
        FileLock lock;
        try {
            lockChannel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StorageException(StorageException.Reason.LOCKED, "directory " + directory + " is open in another backend");
            }
            ReferenceBackend backend = new ReferenceBackend(directory, config.keyspaces(), lockChannel);
            lockChannel = null;
            return backend;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot open " + directory + ": " + e, e);
        } finally {
            if (lockChannel != null) {
                try {
                    lockChannel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private Comparator<byte[]> order() {
        return faults.contains(Fault.SIGNED_ORDER) ? Arrays::compare : Arrays::compareUnsigned;
    }

    private final class ReferenceBackend implements Backend {
        private final Path directory;
        private final Set<String> keyspaces;
        private final FileChannel lockChannel;
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        /** Every keyspace found in the log, listed or not; guarded by {@link #lock}. */
        private final Map<String, TreeMap<byte[], byte[]>> data = new HashMap<>();
        private final Set<Snapshot> snapshots = ConcurrentHashMap.newKeySet();
        private FileChannel log;
        private volatile boolean closed;

        ReferenceBackend(Path directory, Set<String> keyspaces, FileChannel lockChannel) throws IOException {
            this.directory = directory;
            this.keyspaces = Set.copyOf(keyspaces);
            this.lockChannel = lockChannel;
            Path logFile = directory.resolve(LOG);
            if (!Files.exists(logFile)) {
                writeFreshLog(logFile, Map.of());
            }
            this.log = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                replay();
            } catch (IOException | RuntimeException e) {
                log.close();
                throw e;
            }
        }

        private void replay() throws IOException {
            byte[] all = Files.readAllBytes(directory.resolve(LOG));
            if (all.length < MAGIC.length || !Arrays.equals(MAGIC, 0, MAGIC.length, all, 0, MAGIC.length)) {
                throw new StorageException(StorageException.Reason.CORRUPTED, "log " + directory.resolve(LOG) + " has no valid header");
            }
            ByteBuffer buffer = ByteBuffer.wrap(all);
            buffer.position(MAGIC.length);
            long goodEnd = buffer.position();
            while (buffer.remaining() > 0) {
                if (buffer.remaining() < 8) {
                    break; // torn header of the last record
                }
                int length = buffer.getInt();
                int checksum = buffer.getInt();
                if (length < 0 || length > buffer.remaining()) {
                    break; // torn last record
                }
                byte[] payload = new byte[length];
                buffer.get(payload);
                CRC32C crc = new CRC32C();
                crc.update(payload);
                if ((int) crc.getValue() != checksum) {
                    if (buffer.remaining() == 0) {
                        break; // torn last record
                    }
                    throw new StorageException(StorageException.Reason.CORRUPTED, "log " + directory.resolve(LOG)
                            + " has a damaged record at offset " + goodEnd + " followed by more records");
                }
                apply(decode(payload));
                goodEnd = buffer.position();
            }
            if (goodEnd < all.length) {
                log.truncate(goodEnd);
                log.force(true);
            }
            log.position(goodEnd);
        }

        private TreeMap<byte[], byte[]> keyspace(String name) {
            return data.computeIfAbsent(name, k -> new TreeMap<>(order()));
        }

        private void apply(List<WriteBatch.Operation> operations) {
            for (WriteBatch.Operation operation : operations) {
                TreeMap<byte[], byte[]> map = keyspace(operation.keyspace());
                switch (operation) {
                    case WriteBatch.Put put -> map.put(put.key().clone(), put.value().clone());
                    case WriteBatch.Delete delete -> map.remove(delete.key());
                    case WriteBatch.DeleteRange range -> {
                        NavigableMap<byte[], byte[]> doomed = range(map, range.start(), range.end());
                        if (!doomed.isEmpty()) {
                            doomed.clear();
                        }
                    }
                }
            }
        }

        private NavigableMap<byte[], byte[]> range(TreeMap<byte[], byte[]> map, byte[] start, byte[] end) {
            if (start != null && end != null && map.comparator().compare(start, end) >= 0) {
                return Collections.emptyNavigableMap();
            }
            NavigableMap<byte[], byte[]> view = map;
            if (start != null) {
                view = view.tailMap(start, true);
            }
            if (end != null) {
                view = view.headMap(end, false);
            }
            return view;
        }

        @Override
        public Path directory() {
            return directory;
        }

        @Override
        public Set<String> keyspaces() {
            return keyspaces;
        }

        private void checkOpen() {
            if (closed) {
                throw new StorageException(StorageException.Reason.CLOSED, "backend on " + directory + " is closed");
            }
        }

        private void checkKeyspace(String keyspace) {
            Objects.requireNonNull(keyspace, "keyspace is null");
            if (!keyspaces.contains(keyspace)) {
                throw new IllegalArgumentException("keyspace '" + keyspace + "' was not opened; open keyspaces: " + keyspaces);
            }
        }

        @Override
        public void write(WriteBatch batch, Durability durability) {
            Objects.requireNonNull(batch, "batch is null");
            Objects.requireNonNull(durability, "durability is null");
            checkOpen();
            List<WriteBatch.Operation> operations = batch.operations();
            for (WriteBatch.Operation operation : operations) {
                checkKeyspace(operation.keyspace());
            }
            if (faults.contains(Fault.LOSES_SECOND_HALF_OF_BATCH) && operations.size() >= 2) {
                operations = operations.subList(0, (operations.size() + 1) / 2);
            }
            byte[] payload = encode(operations);
            CRC32C crc = new CRC32C();
            crc.update(payload);
            ByteBuffer record = ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
            lock.writeLock().lock();
            try {
                checkOpen();
                while (record.hasRemaining()) {
                    log.write(record);
                }
                if (durability == Durability.SYNCED) {
                    log.force(false);
                }
                apply(operations);
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot append to the log in " + directory + ": " + e, e);
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public byte[] get(String keyspace, byte[] key) {
            checkKeyspace(keyspace);
            Objects.requireNonNull(key, "key is null");
            lock.readLock().lock();
            try {
                if (!faults.contains(Fault.READS_AFTER_CLOSE)) {
                    checkOpen();
                }
                byte[] value = keyspace(keyspace).get(key);
                return value == null ? null : value.clone();
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
            checkKeyspace(keyspace);
            Objects.requireNonNull(order, "order is null");
            Objects.requireNonNull(visitor, "visitor is null");
            lock.readLock().lock();
            try {
                if (!faults.contains(Fault.READS_AFTER_CLOSE)) {
                    checkOpen();
                }
                return scanMap(keyspace(keyspace), start, end, order, limit, visitor);
            } finally {
                lock.readLock().unlock();
            }
        }

        private int scanMap(TreeMap<byte[], byte[]> map, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit " + limit + " is negative");
            }
            NavigableMap<byte[], byte[]> view = range(map, start, end);
            if (order == ScanOrder.DESCENDING) {
                view = view.descendingMap();
            }
            int visited = 0;
            for (Map.Entry<byte[], byte[]> entry : view.entrySet()) {
                if (limit > 0 && visited >= limit && !faults.contains(Fault.IGNORES_LIMIT)) {
                    break;
                }
                visited++;
                if (!visitor.visit(entry.getKey().clone(), entry.getValue().clone())) {
                    break;
                }
            }
            return visited;
        }

        @Override
        public ReadSnapshot snapshot() {
            lock.readLock().lock();
            try {
                checkOpen();
                Map<String, TreeMap<byte[], byte[]>> copy = new HashMap<>();
                for (String keyspace : keyspaces) {
                    copy.put(keyspace, faults.contains(Fault.SNAPSHOT_SEES_LATER_WRITES) ? keyspace(keyspace) : new TreeMap<>(keyspace(keyspace)));
                }
                Snapshot snapshot = new Snapshot(copy);
                snapshots.add(snapshot);
                return snapshot;
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void flush() {
            lock.writeLock().lock();
            try {
                checkOpen();
                log.force(false);
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot sync the log in " + directory + ": " + e, e);
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void checkpoint(Path target) {
            Objects.requireNonNull(target, "target is null");
            lock.readLock().lock();
            try {
                checkOpen();
                if (Files.exists(target)) {
                    throw new StorageException(StorageException.Reason.IO, "checkpoint target " + target + " exists");
                }
                try {
                    Files.createDirectory(target);
                    writeFreshLog(target.resolve(LOG), data);
                    BackendDirectory.writeMarker(target, ID, FORMAT);
                } catch (IOException | RuntimeException e) {
                    deleteTree(target);
                    throw new StorageException(StorageException.Reason.IO, "cannot write checkpoint " + target + ": " + e, e);
                }
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public BackendStats stats() {
            lock.readLock().lock();
            try {
                checkOpen();
                Map<String, Long> keys = new HashMap<>();
                for (String keyspace : keyspaces) {
                    keys.put(keyspace, (long) keyspace(keyspace).size());
                }
                return new BackendStats(log.size(), keys);
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot size " + directory + ": " + e, e);
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public void compact() {
            lock.writeLock().lock();
            try {
                checkOpen();
                Path fresh = directory.resolve(LOG + ".compacting");
                writeFreshLog(fresh, data);
                log.close();
                Files.move(fresh, directory.resolve(LOG), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log = FileChannel.open(directory.resolve(LOG), StandardOpenOption.READ, StandardOpenOption.WRITE);
                log.position(log.size());
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot compact " + directory + ": " + e, e);
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void close() {
            lock.writeLock().lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                snapshots.forEach(Snapshot::close);
                log.force(true);
                log.close();
                lockChannel.close(); // releases the file lock
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.IO, "cannot close " + directory + ": " + e, e);
            } finally {
                lock.writeLock().unlock();
            }
        }

        private final class Snapshot implements ReadSnapshot {
            private final Map<String, TreeMap<byte[], byte[]>> state;
            private volatile boolean snapshotClosed;

            Snapshot(Map<String, TreeMap<byte[], byte[]>> state) {
                this.state = state;
            }

            private TreeMap<byte[], byte[]> read(String keyspace) {
                checkKeyspace(keyspace);
                if (snapshotClosed) {
                    throw new StorageException(StorageException.Reason.CLOSED, "snapshot of " + directory + " is closed");
                }
                return state.get(keyspace);
            }

            @Override
            public byte[] get(String keyspace, byte[] key) {
                Objects.requireNonNull(key, "key is null");
                TreeMap<byte[], byte[]> map = read(keyspace);
                lock.readLock().lock(); // a faulty live view shares the backend's maps
                try {
                    byte[] value = map.get(key);
                    return value == null ? null : value.clone();
                } finally {
                    lock.readLock().unlock();
                }
            }

            @Override
            public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
                Objects.requireNonNull(order, "order is null");
                Objects.requireNonNull(visitor, "visitor is null");
                TreeMap<byte[], byte[]> map = read(keyspace);
                lock.readLock().lock();
                try {
                    return scanMap(map, start, end, order, limit, visitor);
                } finally {
                    lock.readLock().unlock();
                }
            }

            @Override
            public void close() {
                snapshotClosed = true;
                snapshots.remove(this);
            }
        }
    }

    /** Writes a log holding {@code state} as one batch of puts, durably. */
    private static void writeFreshLog(Path file, Map<String, TreeMap<byte[], byte[]>> state) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(MAGIC));
            WriteBatch all = new WriteBatch();
            state.forEach((keyspace, map) -> map.forEach((key, value) -> all.put(keyspace, key, value)));
            if (!all.isEmpty()) {
                byte[] payload = encode(all.operations());
                CRC32C crc = new CRC32C();
                crc.update(payload);
                ByteBuffer record = ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
                while (record.hasRemaining()) {
                    channel.write(record);
                }
            }
            channel.force(true);
        }
    }

    private static byte[] encode(List<WriteBatch.Operation> operations) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(operations.size());
            for (WriteBatch.Operation operation : operations) {
                switch (operation) {
                    case WriteBatch.Put put -> {
                        out.writeByte(PUT);
                        out.writeUTF(put.keyspace());
                        writeBytes(out, put.key());
                        writeBytes(out, put.value());
                    }
                    case WriteBatch.Delete delete -> {
                        out.writeByte(DELETE);
                        out.writeUTF(delete.keyspace());
                        writeBytes(out, delete.key());
                    }
                    case WriteBatch.DeleteRange range -> {
                        out.writeByte(DELETE_RANGE);
                        out.writeUTF(range.keyspace());
                        writeBytes(out, range.start());
                        writeBytes(out, range.end());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return bytes.toByteArray();
    }

    private static List<WriteBatch.Operation> decode(byte[] payload) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            int count = in.readInt();
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < count; i++) {
                byte kind = in.readByte();
                String keyspace = in.readUTF();
                switch (kind) {
                    case PUT -> batch.put(keyspace, readBytes(in), readBytes(in));
                    case DELETE -> batch.delete(keyspace, readBytes(in));
                    case DELETE_RANGE -> batch.deleteRange(keyspace, readBytes(in), readBytes(in));
                    default -> throw new StorageException(StorageException.Reason.CORRUPTED, "unknown operation " + kind + " in the log");
                }
            }
            return batch.operations();
        } catch (EOFException e) {
            throw new StorageException(StorageException.Reason.CORRUPTED, "a log record ends early", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : in.readNBytes(length);
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the caller reports the original failure
        }
    }
}
