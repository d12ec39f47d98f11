package io.cairn.server;

import io.cairn.api.cluster.Member;
import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The cluster's member metadata as part of the state machine (etcd keeps it in its backend's
 * {@code members} bucket): every member's name, peer and client URLs and learner flag, and the ids
 * removed for good (etcd refuses to re-add them). Kept in {@link #KEYSPACE} of the state backend,
 * written in the same batch as the applied index of the entry that changed it, so it survives a
 * crash and travels in snapshots with the rest of the state.
 *
 * <p>Threading: written only by the node's loop thread (apply, snapshot install); read from any
 * thread (the maps are concurrent; a reader sees each member change whole).
 */
final class MemberTable {

    static final String KEYSPACE = "members";
    static final Set<String> KEYSPACES = Set.of(KEYSPACE);

    private static final byte MEMBER = 'm';
    private static final byte REMOVED = 'r';

    private final ConcurrentSkipListMap<Long, Member> members = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    private final ConcurrentSkipListSet<Long> removed = new ConcurrentSkipListSet<>();
    private volatile Runnable onChange = () -> {};

    private MemberTable() {}

    /** Loads the table kept in {@code backend} (empty: no members yet). */
    static MemberTable open(Backend backend) {
        MemberTable table = new MemberTable();
        table.reload(backend);
        return table;
    }

    /** Reads the table again from {@code backend} (after a snapshot replaced the state). */
    void reload(Backend backend) {
        members.clear();
        removed.clear();
        backend.scan(KEYSPACE, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
            long id = ByteBuffer.wrap(key, 1, 8).getLong();
            if (key[0] == MEMBER) {
                members.put(id, decodeMember(value));
            } else if (key[0] == REMOVED) {
                removed.add(id);
            }
            return true;
        });
        onChange.run();
    }

    /** Called on the loop thread after every change (the peer endpoint follows the member list). */
    void onChange(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener, "listener");
    }

    List<Member> members() {
        return List.copyOf(members.values());
    }

    Member member(long id) {
        return members.get(id);
    }

    boolean isRemoved(long id) {
        return removed.contains(id);
    }

    /** Writes the initial members of a new cluster (every initial member writes the same). */
    void bootstrap(Backend backend, List<Member> initial) {
        WriteBatch batch = new WriteBatch();
        for (Member m : initial) {
            batch.put(KEYSPACE, key(MEMBER, m.id()), encodeMember(m));
        }
        backend.write(batch, Durability.SYNCED);
        initial.forEach(m -> members.put(m.id(), m));
        onChange.run();
    }

    /** Adds or replaces {@code member} in {@code batch}; the in-memory view changes on {@link #commit}. */
    Change put(Member member) {
        return new Change(member, 0);
    }

    Change remove(long id) {
        return new Change(null, id);
    }

    /** A pending change: {@link #write} adds it to the apply batch, {@link #commit} publishes it after the write. */
    final class Change {
        private final Member put;
        private final long removedId;

        private Change(Member put, long removedId) {
            this.put = put;
            this.removedId = removedId;
        }

        void write(WriteBatch batch) {
            if (put != null) {
                batch.put(KEYSPACE, key(MEMBER, put.id()), encodeMember(put));
            } else {
                batch.delete(KEYSPACE, key(MEMBER, removedId));
                batch.put(KEYSPACE, key(REMOVED, removedId), new byte[0]);
            }
        }

        void commit() {
            if (put != null) {
                members.put(put.id(), put);
            } else {
                members.remove(removedId);
                removed.add(removedId);
            }
            onChange.run();
        }
    }

    // ---- encoding -----------------------------------------------------------------------------

    private static byte[] key(byte kind, long id) {
        return ByteBuffer.allocate(9).put(kind).putLong(id).array();
    }

    /** {@code id ‖ learner ‖ name ‖ n ‖ peer URLs ‖ m ‖ client URLs}, strings length-prefixed UTF-8. */
    static byte[] encodeMember(Member m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeLong(out, m.id());
        out.write(m.learner() ? 1 : 0);
        writeString(out, m.name());
        writeStrings(out, m.peerUrls());
        writeStrings(out, m.clientUrls());
        return out.toByteArray();
    }

    static Member decodeMember(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            long id = in.getLong();
            boolean learner = in.get() == 1;
            String name = readString(in);
            List<String> peers = readStrings(in);
            List<String> clients = readStrings(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            return new Member(id, name, peers, clients, learner);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed member record: " + e.getMessage(), e);
        }
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }

    private static void writeStrings(ByteArrayOutputStream out, List<String> list) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(list.size()).array());
        list.forEach(s -> writeString(out, s));
    }

    private static String readString(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes, " + in.remaining() + " left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> readStrings(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("list of " + n + " strings, " + in.remaining() + " bytes left");
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(readString(in));
        }
        return out;
    }

    /** The peer URLs of every member (the peer endpoint's view). */
    Map<Long, List<String>> peerUrls() {
        Map<Long, List<String>> out = new java.util.LinkedHashMap<>();
        members.forEach((id, m) -> out.put(id, m.peerUrls()));
        return out;
    }
}
