package io.cairn.server.raftlog;

import io.cairn.api.Experimental;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import io.cairn.raft.RaftCodec;
import io.cairn.raft.RaftStorage;
import io.cairn.raft.RaftStorageException;
import io.cairn.raft.Ready;
import io.cairn.raft.Snapshot;
import io.cairn.raft.SnapshotMetadata;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Raft log on its own {@link Backend}: entries in {@link #LOG_KEYSPACE} keyed by the
 * big-endian index (so the backend's order is the log's order), and in {@link #STATE_KEYSPACE} the
 * hard state, the latest snapshot, the configuration as of the last applied membership change,
 * and the index/term of the entry the log starts after (the compaction point).
 *
 * <p>Everything one {@link Ready} asks to persist goes into <b>one</b> write batch, synced when
 * {@link Ready#mustSync()}: that is the group commit (every proposal drained into the Ready shares
 * the one sync).
 *
 * <p>Threading: not thread-safe; used by the node's loop thread only (as {@link RaftStorage}
 * requires). {@link #syncedWrites()} and {@link #writes()} may be read from any thread.
 *
 * <p>Failure: a {@link io.cairn.spi.storage.StorageException} from the backend propagates; the
 * node must stop (the log on disk is whatever the last successful batch left, which is consistent).
 */
@Experimental("server internals")
public final class BackendRaftStorage implements RaftStorage {

    /** Entries: {@code be64(index) → RaftCodec.encodeEntry}. */
    public static final String LOG_KEYSPACE = "raft_log";
    /** Hard state, snapshot, conf state and log start, under the ASCII keys below. */
    public static final String STATE_KEYSPACE = "raft_state";
    /** The keyspaces the backend must be opened with. */
    public static final Set<String> KEYSPACES = Set.of(LOG_KEYSPACE, STATE_KEYSPACE);

    private static final byte[] HARD_STATE = ascii("hard_state");
    private static final byte[] SNAPSHOT = ascii("snapshot");
    private static final byte[] CONF_STATE = ascii("conf_state");
    /** {@code be64(index) ‖ be64(term)} of the entry just before the first one kept. */
    private static final byte[] LOG_START = ascii("log_start");

    private final Backend backend;
    // Mirrors of what is on disk, updated only after the batch that stores them succeeded.
    private HardState hardState;
    private Snapshot snapshot;
    private ConfState confState;
    private long startIndex;
    private long startTerm;
    /** Invariant: startIndex <= lastIndex. */
    private long lastIndex;
    private final AtomicLong syncedWrites = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    private BackendRaftStorage(Backend backend) {
        this.backend = backend;
    }

    /**
     * Opens the log kept in {@code backend} (empty: an empty log). The backend stays the caller's.
     *
     * @throws IllegalArgumentException if the backend lacks one of {@link #KEYSPACES}
     * @throws IllegalStateException if what is stored cannot be decoded or is inconsistent
     */
    public static BackendRaftStorage open(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (!backend.keyspaces().containsAll(KEYSPACES)) {
            throw new IllegalArgumentException("the Raft log needs keyspaces " + KEYSPACES + " but the backend has "
                    + backend.keyspaces());
        }
        BackendRaftStorage storage = new BackendRaftStorage(backend);
        storage.load();
        return storage;
    }

    private void load() {
        try {
            byte[] hs = backend.get(STATE_KEYSPACE, HARD_STATE);
            hardState = hs == null ? HardState.EMPTY : RaftCodec.decodeHardState(hs);
            byte[] snap = backend.get(STATE_KEYSPACE, SNAPSHOT);
            snapshot = snap == null ? Snapshot.EMPTY : RaftCodec.decodeSnapshot(snap);
            byte[] cs = backend.get(STATE_KEYSPACE, CONF_STATE);
            confState = cs == null ? snapshot.metadata().confState() : RaftCodec.decodeConfState(cs);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the Raft log in " + backend.directory() + " is unreadable: " + e.getMessage(), e);
        }
        byte[] start = backend.get(STATE_KEYSPACE, LOG_START);
        if (start != null) {
            if (start.length != 16) {
                throw new IllegalStateException("the Raft log in " + backend.directory() + " has a corrupted log start");
            }
            startIndex = readLong(start, 0);
            startTerm = readLong(start, 8);
        }
        List<byte[]> last = new ArrayList<>(1);
        backend.scan(LOG_KEYSPACE, null, null, ScanOrder.DESCENDING, 1, (key, value) -> last.add(key));
        lastIndex = last.isEmpty() ? startIndex : readLong(last.get(0), 0);
        if (lastIndex < startIndex) {
            throw new IllegalStateException("the Raft log in " + backend.directory() + " ends at " + lastIndex
                    + " before its start " + startIndex);
        }
        if (hardState.commit() > lastIndex) {
            throw new IllegalStateException("the Raft log in " + backend.directory() + " has commit index "
                    + hardState.commit() + " beyond its last entry " + lastIndex);
        }
    }

    // ---- RaftStorage --------------------------------------------------------------------------

    @Override
    public InitialState initialState() {
        return new InitialState(hardState, confState);
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        if (lo > hi) {
            throw new IllegalArgumentException("invalid range [" + lo + ", " + hi + ")");
        }
        if (lo <= startIndex) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "entry " + lo + " is compacted (first index " + firstIndex() + ")");
        }
        if (hi > lastIndex + 1) {
            throw new RaftStorageException(RaftStorageException.Reason.UNAVAILABLE,
                    "entries up to " + (hi - 1) + " requested, last index is " + lastIndex);
        }
        List<Entry> out = new ArrayList<>();
        if (lo == hi) {
            return out;
        }
        long[] size = {0};
        backend.scan(LOG_KEYSPACE, indexKey(lo), indexKey(hi), ScanOrder.ASCENDING, 0, (key, value) -> {
            Entry e = RaftCodec.decodeEntry(value);
            size[0] += e.sizeBytes();
            if (!out.isEmpty() && size[0] > maxSizeBytes) {
                return false;
            }
            out.add(e);
            return true;
        });
        if (out.isEmpty() || out.get(0).index() != lo) {
            throw new IllegalStateException("the Raft log in " + backend.directory() + " lacks entry " + lo);
        }
        return out;
    }

    @Override
    public long term(long index) {
        if (index < startIndex) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "term of " + index + " is compacted (log starts after " + startIndex + ")");
        }
        if (index > lastIndex) {
            throw new RaftStorageException(RaftStorageException.Reason.UNAVAILABLE,
                    "term of " + index + " requested, last index is " + lastIndex);
        }
        if (index == startIndex) {
            return startTerm;
        }
        byte[] value = backend.get(LOG_KEYSPACE, indexKey(index));
        if (value == null) {
            throw new IllegalStateException("the Raft log in " + backend.directory() + " lacks entry " + index);
        }
        return RaftCodec.decodeEntry(value).term();
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public long firstIndex() {
        return startIndex + 1;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    // ---- writing ------------------------------------------------------------------------------

    /**
     * Persists what {@code rd} asks for (step 1 of the Ready contract) in one batch, synced when
     * {@link Ready#mustSync()}: the snapshot (replacing the log before and at its index), the
     * entries (an entry at an index already held replaces it and every later one), the hard state.
     * Does nothing if the Ready has nothing to persist.
     *
     * @throws IllegalArgumentException if the entries are not consecutive or leave a gap after the log
     */
    public void save(Ready rd) {
        save(rd.snapshot(), rd.entries(), rd.hardState(), rd.mustSync());
    }

    /** What {@link #save(Ready)} does, with the parts given one by one (null: unchanged). */
    public void save(Snapshot snap, List<Entry> entries, HardState hs, boolean sync) {
        WriteBatch batch = new WriteBatch();
        long newStartIndex = startIndex;
        long newStartTerm = startTerm;
        long newLast = lastIndex;
        if (snap != null && !snap.isEmpty()) {
            SnapshotMetadata md = snap.metadata();
            if (md.index() < snapshot.metadata().index()) {
                throw new RaftStorageException(RaftStorageException.Reason.SNAPSHOT_OUT_OF_DATE, "snapshot at " + md.index()
                        + " is older than the one held at " + snapshot.metadata().index());
            }
            // A snapshot from the leader replaces the whole log (etcd's ApplySnapshot).
            batch.deleteRange(LOG_KEYSPACE, indexKey(0), indexKey(Math.max(lastIndex, md.index()) + 1));
            batch.put(STATE_KEYSPACE, SNAPSHOT, RaftCodec.encodeSnapshot(snap));
            batch.put(STATE_KEYSPACE, CONF_STATE, RaftCodec.encodeConfState(md.confState()));
            newStartIndex = md.index();
            newStartTerm = md.term();
            newLast = md.index();
            batch.put(STATE_KEYSPACE, LOG_START, startBytes(newStartIndex, newStartTerm));
        }
        if (entries != null && !entries.isEmpty()) {
            for (int i = 1; i < entries.size(); i++) {
                if (entries.get(i).index() != entries.get(i - 1).index() + 1) {
                    throw new IllegalArgumentException("entries to append are not consecutive at " + entries.get(i).index());
                }
            }
            long first = entries.get(0).index();
            long last = entries.get(entries.size() - 1).index();
            if (first > newLast + 1) {
                throw new IllegalArgumentException("append at " + first + " leaves a gap after the last index " + newLast);
            }
            if (last > newStartIndex) {
                for (Entry e : entries) {
                    if (e.index() > newStartIndex) {
                        batch.put(LOG_KEYSPACE, indexKey(e.index()), RaftCodec.encodeEntry(e));
                    }
                }
                // A conflicting suffix beyond the new last entry goes; the rest was overwritten above.
                if (newLast > last) {
                    batch.deleteRange(LOG_KEYSPACE, indexKey(last + 1), indexKey(newLast + 1));
                }
                newLast = last;
            }
        }
        if (hs != null && !hs.isEmpty()) {
            batch.put(STATE_KEYSPACE, HARD_STATE, RaftCodec.encodeHardState(hs));
        }
        if (batch.isEmpty()) {
            return;
        }
        backend.write(batch, sync ? Durability.SYNCED : Durability.NOT_SYNCED);
        writes.incrementAndGet();
        if (sync) {
            syncedWrites.incrementAndGet();
        }
        if (snap != null && !snap.isEmpty()) {
            snapshot = snap;
            confState = snap.metadata().confState();
        }
        startIndex = newStartIndex;
        startTerm = newStartTerm;
        lastIndex = newLast;
        if (hs != null && !hs.isEmpty()) {
            hardState = hs;
        }
    }

    /**
     * Records the configuration after an applied membership change, so a restart starts from it
     * (synced: it is rare, and the engine must not forget a member it already counted).
     */
    public void saveConfState(ConfState cs) {
        Objects.requireNonNull(cs, "confState");
        backend.write(new WriteBatch().put(STATE_KEYSPACE, CONF_STATE, RaftCodec.encodeConfState(cs)), Durability.SYNCED);
        writes.incrementAndGet();
        syncedWrites.incrementAndGet();
        confState = cs;
    }

    /**
     * Discards the entries up to and including {@code compactIndex} (which the state machine must
     * have applied durably), recording a snapshot's metadata for it (with empty data: the state
     * machine is its own snapshot on this member) so the engine still answers its term.
     *
     * @throws RaftStorageException {@code COMPACTED} if the log already starts after it
     * @throws IllegalArgumentException if {@code compactIndex > lastIndex()}
     */
    public void compact(long compactIndex) {
        if (compactIndex <= startIndex) {
            throw new RaftStorageException(RaftStorageException.Reason.COMPACTED,
                    "already compacted to " + startIndex + ", cannot compact to " + compactIndex);
        }
        if (compactIndex > lastIndex) {
            throw new IllegalArgumentException("compact index " + compactIndex + " is beyond the last index " + lastIndex);
        }
        long term = term(compactIndex);
        Snapshot snap = new Snapshot(new SnapshotMetadata(confState, compactIndex, term), new byte[0]);
        WriteBatch batch = new WriteBatch()
                .deleteRange(LOG_KEYSPACE, indexKey(0), indexKey(compactIndex + 1))
                .put(STATE_KEYSPACE, LOG_START, startBytes(compactIndex, term))
                .put(STATE_KEYSPACE, SNAPSHOT, RaftCodec.encodeSnapshot(snap));
        backend.write(batch, Durability.SYNCED);
        writes.incrementAndGet();
        syncedWrites.incrementAndGet();
        startIndex = compactIndex;
        startTerm = term;
        snapshot = snap;
    }

    /**
     * A member-identity value stored next to the log ({@code name}: lower-case ASCII), or null.
     * Identity lives with the log because the log is what makes this member who it is.
     */
    public byte[] identity(String name) {
        return backend.get(STATE_KEYSPACE, ascii("identity." + name));
    }

    /** Stores identity values (synced, one batch). */
    public void saveIdentity(java.util.Map<String, byte[]> values) {
        WriteBatch batch = new WriteBatch();
        values.forEach((name, value) -> batch.put(STATE_KEYSPACE, ascii("identity." + name), value));
        backend.write(batch, Durability.SYNCED);
    }

    /** The hard state last persisted. */
    public HardState hardState() {
        return hardState;
    }

    /** How many synced batches were written since open (one per Ready that had to sync). */
    public long syncedWrites() {
        return syncedWrites.get();
    }

    /** How many batches were written since open. */
    public long writes() {
        return writes.get();
    }

    // ---- encoding -----------------------------------------------------------------------------

    static byte[] indexKey(long index) {
        byte[] out = new byte[8];
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) index;
            index >>>= 8;
        }
        return out;
    }

    private static byte[] startBytes(long index, long term) {
        byte[] out = new byte[16];
        System.arraycopy(indexKey(index), 0, out, 0, 8);
        System.arraycopy(indexKey(term), 0, out, 8, 8);
        return out;
    }

    private static long readLong(byte[] in, int offset) {
        if (in.length < offset + 8) {
            throw new IllegalStateException("corrupted Raft log key of " + in.length + " bytes");
        }
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (in[offset + i] & 0xFF);
        }
        return value;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
