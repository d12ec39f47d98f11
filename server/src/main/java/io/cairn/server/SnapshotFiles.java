package io.cairn.server;

import io.cairn.api.Experimental;
import io.cairn.server.mvcc.MvccStore;
import io.cairn.server.raftlog.BackendRaftStorage;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import io.cairn.spi.storage.Durability;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Snapshot files as {@code etcdctl snapshot save} (or {@code Maintenance.Snapshot}) writes them from a
 * Cairn member: the state machine as a storage-neutral stream of records ({@code StateSnapshots})
 * followed by the SHA-256 of everything before it, as etcd appends one to its snapshots. What
 * {@code cairn snapshot status} and {@code cairn snapshot restore} do.
 *
 * <p>Threading: static methods, each on its own files.
 */
@Experimental("new with issue 8")
public final class SnapshotFiles {

    private SnapshotFiles() {}

    /**
     * What {@code etcdctl snapshot status} shows.
     *
     * @param hash CRC-32 (IEEE) of the records (keyspace, key and value of each, in file order)
     * @param revision the store's current revision in the snapshot
     * @param totalKeys the number of records (keys of every keyspace, as etcd counts every bucket's keys)
     * @param totalSize the file's size in bytes
     */
    public record Status(long hash, long revision, long totalKeys, long totalSize) {}

    /**
     * Where and as whom {@link #restore} makes the new member: etcd's flags of
     * {@code etcdctl snapshot restore}.
     *
     * @param dataDir the new data directory: must not exist, or be empty
     * @param name the new member's name ({@code --name})
     * @param peerUrls its advertised peer URLs ({@code --initial-advertise-peer-urls})
     * @param initialCluster every member of the new cluster by name ({@code --initial-cluster}), this one included
     * @param token the new cluster's token ({@code --initial-cluster-token})
     * @param storage the storage provider id of the new data directory
     */
    public record RestoreTarget(Path dataDir, String name, List<URI> peerUrls, Map<String, List<URI>> initialCluster,
                                String token, String storage) {
        public RestoreTarget {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(name, "name");
            peerUrls = List.copyOf(peerUrls);
            initialCluster = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initialCluster));
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(storage, "storage");
        }
    }

    /** Told how far a restore got; called on the restoring thread. */
    @FunctionalInterface
    public interface Progress {
        void bytesRead(long done, long total);
    }

    /**
     * Checks {@code file} whole (its SHA-256 and its records) and reports what it holds.
     *
     * @throws IOException naming the file if it cannot be read, is no snapshot, or is corrupted
     */
    public static Status status(Path file) throws IOException {
        long length = StateSnapshots.verifyDigest(file);
        CRC32 crc = new CRC32();
        long[] revision = {1};
        long count;
        try (InputStream in = bounded(Files.newInputStream(file), length, (done, total) -> {})) {
            count = StateSnapshots.parse(in, file.toString(), (keyspace, key, value) -> {
                crc.update(keyspace.getBytes(StandardCharsets.UTF_8));
                crc.update(key);
                crc.update(value);
                long rev = MvccStore.revisionOfRecord(keyspace, key, value);
                if (rev >= 0) {
                    revision[0] = rev;
                }
            });
        }
        return new Status(crc.getValue(), revision[0], count, Files.size(file));
    }

    /**
     * Makes a new data directory from {@code file}, as {@code etcdctl snapshot restore}: the keys,
     * their revisions, leases and compaction state from the snapshot; a new member identity and
     * cluster from {@code target} (the snapshot's member list and alarms are dropped). Start the member
     * on it afterwards with the same {@code --name}, {@code --initial-cluster},
     * {@code --initial-cluster-token} and {@code --initial-advertise-peer-urls}; every member of the
     * new cluster is restored from the same file the same way.
     *
     * @throws IOException if the file is corrupted (checked whole before anything is written), the
     *     data directory exists and is not empty, or storage fails; a partial data directory is removed
     * @throws IllegalArgumentException if {@code target} is inconsistent (this member missing from the
     *     initial cluster, or its URLs differ) or names an unknown storage provider
     */
    public static void restore(Path file, RestoreTarget target, Progress progress) throws IOException {
        List<URI> own = target.initialCluster().get(target.name());
        if (own == null) {
            throw new IllegalArgumentException("couldn't find local name \"" + target.name()
                    + "\" in the initial cluster configuration " + target.initialCluster());
        }
        if (!new java.util.HashSet<>(own).equals(new java.util.HashSet<>(target.peerUrls()))) {
            throw new IllegalArgumentException("--initial-cluster has " + target.name() + "=" + own
                    + " but the advertised peer URLs are " + target.peerUrls());
        }
        StorageProvider provider = StorageProviders.byId(target.storage());
        long length = StateSnapshots.verifyDigest(file);
        try (InputStream check = bounded(Files.newInputStream(file), length, (done, total) -> {})) {
            StateSnapshots.parse(check, file.toString(), (keyspace, key, value) -> {
                if (!CairnServer.STATE_KEYSPACES.contains(keyspace)) {
                    throw new IOException("snapshot file " + file + " holds unknown keyspace " + keyspace);
                }
            });
        }
        Path dataDir = target.dataDir();
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("data-dir \"" + dataDir + "\" exists and is not empty");
                }
            }
        }
        boolean created = !Files.exists(dataDir);
        Path member = dataDir.resolve("member");
        try {
            Files.createDirectories(member);
            List<String> keyspaces = new ArrayList<>(CairnServer.STATE_KEYSPACES);
            keyspaces.sort(null);
            try (Backend state = provider.open(new BackendConfig(member.resolve("state"), CairnServer.STATE_KEYSPACES, Map.of()));
                 InputStream in = bounded(Files.newInputStream(file), length, progress)) {
                StateSnapshots.install(in, file.toString(), state, keyspaces);
                // a new cluster: its members bootstrap at the first start; old alarms name old members
                WriteBatch forget = new WriteBatch();
                for (String keyspace : List.of(MemberTable.KEYSPACE, AlarmTable.KEYSPACE)) {
                    forget.deleteRange(keyspace, null, null);
                }
                state.write(forget, Durability.SYNCED);
                MvccStore.resetConsistentIndex(state);
            }
            try (Backend raft = provider.open(new BackendConfig(member.resolve("raft"), BackendRaftStorage.KEYSPACES, Map.of()))) {
                List<String> urls = target.peerUrls().stream().map(URI::toString).toList();
                Map<String, byte[]> identity = new LinkedHashMap<>();
                identity.put("member_id", ByteBuffer.allocate(8).putLong(CairnServer.memberId(target.name(), urls, target.token())).array());
                identity.put("cluster_id", ByteBuffer.allocate(8).putLong(CairnServer.clusterIdOf(target.token())).array());
                identity.put("name", target.name().getBytes(StandardCharsets.UTF_8));
                identity.put("token", target.token().getBytes(StandardCharsets.UTF_8));
                BackendRaftStorage.open(raft).saveIdentity(identity);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(created ? dataDir : member);
            if (e instanceof StorageException storage) {
                throw new IOException("cannot restore into " + dataDir + ": " + storage.getMessage(), storage);
            }
            throw e;
        }
    }

    private static InputStream bounded(InputStream in, long length, Progress progress) {
        return new FilterInputStream(in) {
            private long done;

            @Override
            public int read() throws IOException {
                if (done >= length) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                if (done >= length) {
                    return -1;
                }
                int n = super.read(buffer, offset, (int) Math.min(count, length - done));
                if (n > 0) {
                    advance(n);
                }
                return n;
            }

            private void advance(long n) {
                long before = done >> 20;
                done += n;
                if (done >> 20 != before || done == length) {
                    progress.bytesRead(done, length);
                }
            }
        };
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the error that made us clean up is the one reported
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
