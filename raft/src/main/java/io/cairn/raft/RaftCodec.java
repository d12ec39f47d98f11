package io.cairn.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A compact binary encoding of the engine's values, for the durable log and the peer transport.
 * Pure: byte arrays in and out, no I/O.
 *
 * <p>Format: every value starts with a one-byte tag naming its type and a one-byte format version;
 * integers are unsigned LEB128 varints; byte arrays and lists are length-prefixed. Decoding checks
 * tag, version, lengths and enum ordinals, and rejects trailing bytes.
 *
 * <p>Ownership: encoders return a fresh array. Decoded values own fresh arrays (nothing aliases the
 * input). Threading: stateless, safe from any thread. Failure: decoders throw
 * {@link IllegalArgumentException} naming the problem and the offset.
 */
public final class RaftCodec {

    private static final int VERSION = 1;
    private static final int TAG_MESSAGE = 'M';
    private static final int TAG_ENTRY = 'E';
    private static final int TAG_HARD_STATE = 'H';
    private static final int TAG_CONF_STATE = 'C';
    private static final int TAG_CONF_CHANGE = 'X';
    private static final int TAG_SNAPSHOT_METADATA = 'S';
    private static final int TAG_SNAPSHOT = 'P';

    private RaftCodec() {}

    public static byte[] encodeMessage(Message m) {
        Writer w = new Writer(64 + (int) Math.min(Integer.MAX_VALUE / 2, m.entriesSizeBytes()));
        w.header(TAG_MESSAGE);
        w.varint(m.type().ordinal());
        w.varint(m.from());
        w.varint(m.to());
        w.varint(m.term());
        w.varint(m.logTerm());
        w.varint(m.index());
        w.varint(m.entries().size());
        for (Entry e : m.entries()) {
            writeEntry(w, e);
        }
        w.varint(m.commit());
        w.varint(m.snapshot() == null ? 0 : 1);
        if (m.snapshot() != null) {
            writeSnapshot(w, m.snapshot());
        }
        w.varint(m.reject() ? 1 : 0);
        w.varint(m.rejectHint());
        w.bytes(m.context());
        return w.toArray();
    }

    public static Message decodeMessage(byte[] bytes) {
        Reader r = new Reader(bytes, "message");
        r.header(TAG_MESSAGE);
        MessageType type = r.enumValue(MessageType.values(), "message type");
        long from = r.varint();
        long to = r.varint();
        long term = r.varint();
        long logTerm = r.varint();
        long index = r.varint();
        int n = r.count("entries");
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(readEntry(r));
        }
        long commit = r.varint();
        Snapshot snapshot = r.bool("snapshot flag") ? readSnapshot(r) : null;
        boolean reject = r.bool("reject");
        long rejectHint = r.varint();
        byte[] context = r.bytes("context");
        r.end();
        return r.build(() -> new Message(type, from, to, term, logTerm, index, entries, commit, snapshot, reject,
                rejectHint, context));
    }

    public static byte[] encodeEntry(Entry e) {
        Writer w = new Writer(16 + e.data().length);
        w.header(TAG_ENTRY);
        writeEntry(w, e);
        return w.toArray();
    }

    public static Entry decodeEntry(byte[] bytes) {
        Reader r = new Reader(bytes, "entry");
        r.header(TAG_ENTRY);
        Entry e = readEntry(r);
        r.end();
        return e;
    }

    public static byte[] encodeHardState(HardState hs) {
        Writer w = new Writer(32);
        w.header(TAG_HARD_STATE);
        w.varint(hs.term());
        w.varint(hs.vote());
        w.varint(hs.commit());
        return w.toArray();
    }

    public static HardState decodeHardState(byte[] bytes) {
        Reader r = new Reader(bytes, "hard state");
        r.header(TAG_HARD_STATE);
        long term = r.varint();
        long vote = r.varint();
        long commit = r.varint();
        r.end();
        return r.build(() -> new HardState(term, vote, commit));
    }

    public static byte[] encodeConfState(ConfState cs) {
        Writer w = new Writer(32);
        w.header(TAG_CONF_STATE);
        writeConfState(w, cs);
        return w.toArray();
    }

    public static ConfState decodeConfState(byte[] bytes) {
        Reader r = new Reader(bytes, "conf state");
        r.header(TAG_CONF_STATE);
        ConfState cs = readConfState(r);
        r.end();
        return cs;
    }

    public static byte[] encodeConfChange(ConfChange cc) {
        Writer w = new Writer(16 + cc.context().length);
        w.header(TAG_CONF_CHANGE);
        w.varint(cc.transition().ordinal());
        w.varint(cc.changes().size());
        for (ConfChangeSingle c : cc.changes()) {
            w.varint(c.type().ordinal());
            w.varint(c.nodeId());
        }
        w.bytes(cc.context());
        return w.toArray();
    }

    public static ConfChange decodeConfChange(byte[] bytes) {
        Reader r = new Reader(bytes, "conf change");
        r.header(TAG_CONF_CHANGE);
        ConfChangeTransition transition = r.enumValue(ConfChangeTransition.values(), "transition");
        int n = r.count("changes");
        List<ConfChangeSingle> changes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConfChangeType type = r.enumValue(ConfChangeType.values(), "conf change type");
            long node = r.varint();
            changes.add(r.build(() -> new ConfChangeSingle(type, node)));
        }
        byte[] context = r.bytes("context");
        r.end();
        return new ConfChange(transition, changes, context);
    }

    public static byte[] encodeSnapshotMetadata(SnapshotMetadata md) {
        Writer w = new Writer(32);
        w.header(TAG_SNAPSHOT_METADATA);
        writeSnapshotMetadata(w, md);
        return w.toArray();
    }

    public static SnapshotMetadata decodeSnapshotMetadata(byte[] bytes) {
        Reader r = new Reader(bytes, "snapshot metadata");
        r.header(TAG_SNAPSHOT_METADATA);
        SnapshotMetadata md = readSnapshotMetadata(r);
        r.end();
        return md;
    }

    public static byte[] encodeSnapshot(Snapshot s) {
        Writer w = new Writer(32 + s.data().length);
        w.header(TAG_SNAPSHOT);
        writeSnapshot(w, s);
        return w.toArray();
    }

    public static Snapshot decodeSnapshot(byte[] bytes) {
        Reader r = new Reader(bytes, "snapshot");
        r.header(TAG_SNAPSHOT);
        Snapshot s = readSnapshot(r);
        r.end();
        return s;
    }

    private static void writeEntry(Writer w, Entry e) {
        w.varint(e.term());
        w.varint(e.index());
        w.varint(e.type().ordinal());
        w.bytes(e.data());
    }

    private static Entry readEntry(Reader r) {
        long term = r.varint();
        long index = r.varint();
        EntryType type = r.enumValue(EntryType.values(), "entry type");
        byte[] data = r.bytes("entry data");
        return r.build(() -> new Entry(term, index, type, data));
    }

    private static void writeIds(Writer w, Set<Long> ids) {
        w.varint(ids.size());
        for (long id : ids) {
            w.varint(id);
        }
    }

    private static Set<Long> readIds(Reader r, String what) {
        int n = r.count(what);
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(r.varint());
        }
        return ids;
    }

    private static void writeConfState(Writer w, ConfState cs) {
        writeIds(w, cs.voters());
        writeIds(w, cs.learners());
        writeIds(w, cs.votersOutgoing());
        writeIds(w, cs.learnersNext());
        w.varint(cs.autoLeave() ? 1 : 0);
    }

    private static ConfState readConfState(Reader r) {
        Set<Long> voters = readIds(r, "voters");
        Set<Long> learners = readIds(r, "learners");
        Set<Long> outgoing = readIds(r, "outgoing voters");
        Set<Long> next = readIds(r, "learners next");
        boolean autoLeave = r.bool("auto leave");
        return r.build(() -> new ConfState(voters, learners, outgoing, next, autoLeave));
    }

    private static void writeSnapshotMetadata(Writer w, SnapshotMetadata md) {
        writeConfState(w, md.confState());
        w.varint(md.index());
        w.varint(md.term());
    }

    private static SnapshotMetadata readSnapshotMetadata(Reader r) {
        ConfState cs = readConfState(r);
        long index = r.varint();
        long term = r.varint();
        return r.build(() -> new SnapshotMetadata(cs, index, term));
    }

    private static void writeSnapshot(Writer w, Snapshot s) {
        writeSnapshotMetadata(w, s.metadata());
        w.bytes(s.data());
    }

    private static Snapshot readSnapshot(Reader r) {
        SnapshotMetadata md = readSnapshotMetadata(r);
        byte[] data = r.bytes("snapshot data");
        return new Snapshot(md, data);
    }

    /** Growable output buffer. */
    private static final class Writer {
        private byte[] buf;
        private int len;

        Writer(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        void header(int tag) {
            put(tag);
            put(VERSION);
        }

        void put(int b) {
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[len++] = (byte) b;
        }

        void varint(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("cannot encode negative value " + v);
            }
            while ((v & ~0x7fL) != 0) {
                put((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            put((int) v);
        }

        void bytes(byte[] data) {
            varint(data.length);
            if (len + data.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + data.length));
            }
            System.arraycopy(data, 0, buf, len, data.length);
            len += data.length;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** Bounds-checked input cursor. */
    private static final class Reader {
        private final byte[] buf;
        private final String what;
        private int pos;

        Reader(byte[] buf, String what) {
            if (buf == null) {
                throw new IllegalArgumentException("cannot decode " + what + " from null");
            }
            this.buf = buf;
            this.what = what;
        }

        private IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("malformed " + what + ": " + problem + " at offset " + pos
                    + " of " + buf.length);
        }

        void header(int tag) {
            int t = get();
            if (t != tag) {
                pos--;
                throw error("expected tag '" + (char) tag + "' but found 0x" + Integer.toHexString(t));
            }
            int v = get();
            if (v != VERSION) {
                pos--;
                throw error("unsupported format version " + v);
            }
        }

        int get() {
            if (pos >= buf.length) {
                throw error("truncated");
            }
            return buf[pos++] & 0xff;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = get();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0) {
                        throw error("value out of range");
                    }
                    return v;
                }
            }
            throw error("varint too long");
        }

        boolean bool(String field) {
            long v = varint();
            if (v > 1) {
                throw error("invalid " + field + " " + v);
            }
            return v == 1;
        }

        int count(String field) {
            long n = varint();
            if (n > buf.length - pos) {
                throw error(field + " count " + n + " exceeds the remaining input");
            }
            return (int) n;
        }

        <E extends Enum<E>> E enumValue(E[] values, String field) {
            long v = varint();
            if (v >= values.length) {
                throw error("unknown " + field + " " + v);
            }
            return values[(int) v];
        }

        byte[] bytes(String field) {
            long n = varint();
            if (n > buf.length - pos) {
                throw error(field + " length " + n + " exceeds the remaining input");
            }
            byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        void end() {
            if (pos != buf.length) {
                throw error((buf.length - pos) + " trailing bytes");
            }
        }

        /** Runs a constructor, turning its validation failure into a decode error. */
        <T> T build(java.util.function.Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (IllegalArgumentException | NullPointerException e) {
                throw error(e.getMessage());
            }
        }
    }
}
