package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry.
 *
 * <p>Ownership: {@code data} is not copied. Whoever builds an entry hands the array over and must
 * not change it afterwards; whoever reads {@link #data()} must not change it either. This keeps
 * proposals and replication free of copies.
 *
 * @param term the leader term in which the entry was created, {@code >= 0}
 * @param index the position in the log, {@code >= 0}
 * @param type what {@code data} holds
 * @param data the payload, never null (empty for a no-op)
 */
public record Entry(long term, long index, EntryType type, byte[] data) {

    /** Bytes counted per entry on top of its data, for message and in-flight size limits. */
    public static final int OVERHEAD_BYTES = 24;

    private static final byte[] NO_DATA = new byte[0];

    public Entry {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("entry term and index must be >= 0, got term=" + term + " index=" + index);
        }
        Objects.requireNonNull(type, "entry type is null");
        Objects.requireNonNull(data, "entry data is null (use an empty array)");
    }

    /** A normal entry. */
    public static Entry normal(long term, long index, byte[] data) {
        return new Entry(term, index, EntryType.NORMAL, data);
    }

    /** A normal entry without data (a leader's no-op). */
    public static Entry empty(long term, long index) {
        return new Entry(term, index, EntryType.NORMAL, NO_DATA);
    }

    /** The size counted against size limits: data plus {@link #OVERHEAD_BYTES}. */
    public long sizeBytes() {
        return (long) data.length + OVERHEAD_BYTES;
    }

    /** The size of the payload alone (counted against the uncommitted-size limit). */
    public long payloadBytes() {
        return data.length;
    }

    /** A copy at another position (used when the leader stamps proposals). */
    Entry withTermAndIndex(long newTerm, long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && term == e.term && index == e.index && type == e.type && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        if (type == EntryType.CONF_CHANGE) {
            String cc;
            try {
                cc = RaftCodec.decodeConfChange(data).toString();
            } catch (IllegalArgumentException e) {
                cc = "(undecodable) " + Bytes.printable(data);
            }
            return term + "/" + index + " CC " + cc;
        }
        return term + "/" + index + " " + Bytes.printable(data);
    }
}
