package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.WriteBatch;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory {@link Backend} for tests, honouring the contract: unsigned-lexicographic keys,
 * atomic batches, snapshots that never see later writes (copy-on-write: a write after a snapshot
 * copies the keyspaces it touches). {@link #reopen()} gives a new backend over the same state, as a
 * restart would.
 */
final class MemoryBackend implements Backend {

    private static final java.util.Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    /** The state shared by a backend and its reopened successors. */
    private static final class Store {
        Map<String, NavigableMap<byte[], byte[]>> keyspaces = new HashMap<>();
        /** Keyspaces a snapshot may still read: copy before changing them. */
        Set<String> shared = new java.util.HashSet<>();
    }

    private final Store store;
    private final Set<String> keyspaces;
    private boolean closed;

    MemoryBackend(Set<String> keyspaces) {
        this(new Store(), keyspaces);
    }

    private MemoryBackend(Store store, Set<String> keyspaces) {
        this.store = store;
        this.keyspaces = Set.copyOf(keyspaces);
        for (String keyspace : keyspaces) {
            store.keyspaces.computeIfAbsent(keyspace, k -> new TreeMap<>(ORDER));
        }
    }

    /** Closes this backend and opens another on the same state. */
    MemoryBackend reopen() {
        close();
        return new MemoryBackend(store, keyspaces);
    }

    @Override
    public Path directory() {
        return Path.of("memory");
    }

    @Override
    public Set<String> keyspaces() {
        return keyspaces;
    }

    @Override
    public synchronized void write(WriteBatch batch, Durability durability) {
        checkOpen();
        for (WriteBatch.Operation operation : batch.operations()) {
            checkKeyspace(operation.keyspace());
        }
        for (WriteBatch.Operation operation : batch.operations()) {
            if (store.shared.remove(operation.keyspace())) {
                Map<String, NavigableMap<byte[], byte[]>> copy = new HashMap<>(store.keyspaces);
                copy.put(operation.keyspace(), new TreeMap<>(store.keyspaces.get(operation.keyspace())));
                store.keyspaces = copy;
            }
        }
        for (WriteBatch.Operation operation : batch.operations()) {
            NavigableMap<byte[], byte[]> map = store.keyspaces.get(operation.keyspace());
            switch (operation) {
                case WriteBatch.Put put -> map.put(put.key().clone(), put.value().clone());
                case WriteBatch.Delete delete -> map.remove(delete.key());
                case WriteBatch.DeleteRange range -> subMap(map, range.start(), range.end()).clear();
            }
        }
    }

    @Override
    public synchronized ReadSnapshot snapshot() {
        checkOpen();
        store.shared.addAll(store.keyspaces.keySet());
        Map<String, NavigableMap<byte[], byte[]>> frozen = store.keyspaces;
        return new ReadSnapshot() {
            private boolean snapshotClosed;

            @Override
            public byte[] get(String keyspace, byte[] key) {
                checkSnapshot();
                return MemoryBackend.get(frozen, keyspace, key);
            }

            @Override
            public int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit, EntryVisitor visitor) {
                checkSnapshot();
                return MemoryBackend.scan(frozen, keyspace, start, end, order, limit, visitor);
            }

            @Override
            public void close() {
                snapshotClosed = true;
            }

            private void checkSnapshot() {
                if (snapshotClosed || closed) {
                    throw new StorageException(StorageException.Reason.CLOSED, "snapshot closed");
                }
            }
        };
    }

    @Override
    public synchronized byte[] get(String keyspace, byte[] key) {
        checkOpen();
        return get(store.keyspaces, keyspace, key);
    }

    @Override
    public synchronized int scan(String keyspace, byte[] start, byte[] end, ScanOrder order, int limit,
                                 EntryVisitor visitor) {
        checkOpen();
        return scan(store.keyspaces, keyspace, start, end, order, limit, visitor);
    }

    private static byte[] get(Map<String, NavigableMap<byte[], byte[]>> state, String keyspace, byte[] key) {
        Objects.requireNonNull(key, "key");
        byte[] value = map(state, keyspace).get(key);
        return value == null ? null : value.clone();
    }

    private static int scan(Map<String, NavigableMap<byte[], byte[]>> state, String keyspace, byte[] start, byte[] end,
                            ScanOrder order, int limit, EntryVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        NavigableMap<byte[], byte[]> range = subMap(map(state, keyspace), start, end);
        if (order == ScanOrder.DESCENDING) {
            range = range.descendingMap();
        }
        int visited = 0;
        for (Map.Entry<byte[], byte[]> entry : range.entrySet()) {
            if (limit != 0 && visited >= limit) {
                break;
            }
            visited++;
            if (!visitor.visit(entry.getKey().clone(), entry.getValue().clone())) {
                break;
            }
        }
        return visited;
    }

    private static NavigableMap<byte[], byte[]> map(Map<String, NavigableMap<byte[], byte[]>> state, String keyspace) {
        Objects.requireNonNull(keyspace, "keyspace");
        NavigableMap<byte[], byte[]> map = state.get(keyspace);
        if (map == null) {
            throw new IllegalArgumentException("unknown keyspace " + keyspace);
        }
        return map;
    }

    private static NavigableMap<byte[], byte[]> subMap(NavigableMap<byte[], byte[]> map, byte[] start, byte[] end) {
        if (start != null && end != null) {
            return Arrays.compareUnsigned(start, end) >= 0 ? new TreeMap<>(ORDER) : map.subMap(start, true, end, false);
        }
        if (start != null) {
            return map.tailMap(start, true);
        }
        if (end != null) {
            return map.headMap(end, false);
        }
        return map;
    }

    private void checkKeyspace(String keyspace) {
        if (!keyspaces.contains(keyspace)) {
            throw new IllegalArgumentException("unknown keyspace " + keyspace);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException(StorageException.Reason.CLOSED, "backend closed");
        }
    }

    @Override
    public void flush() {
        checkOpen();
    }

    @Override
    public void checkpoint(Path target) {
        throw new UnsupportedOperationException("the in-memory test backend has no checkpoints");
    }

    @Override
    public synchronized BackendStats stats() {
        Map<String, Long> sizes = new HashMap<>();
        store.keyspaces.forEach((name, map) -> sizes.put(name, (long) map.size()));
        return new BackendStats(0, sizes);
    }

    /** The number of entries in {@code keyspace}, for tests that check what compaction removed. */
    synchronized int size(String keyspace) {
        return store.keyspaces.get(keyspace).size();
    }

    @Override
    public void compact() {
        checkOpen();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
