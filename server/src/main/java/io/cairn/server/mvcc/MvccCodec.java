package io.cairn.server.mvcc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte layout of the MVCC keyspaces (described in {@code server/MVCC.md}). Every encoding here
 * is order-preserving under unsigned lexicographic comparison, which is the order of every
 * {@link io.cairn.spi.storage.Backend}: that is what lets one forward scan of {@link #KV_BY_KEY}
 * serve a key range, and one scan of {@link #KV_BY_REV} serve a revision range.
 *
 * <p>Stateless; all methods return fresh arrays and never keep their arguments.
 */
final class MvccCodec {

    /** escape(key) ‖ 00 00 ‖ be64(MAX − main) ‖ be64(MAX − sub) → {@link #encodePut} or {@link #TOMBSTONE}. */
    static final String KV_BY_KEY = "kv_by_key";
    /** be64(main) ‖ be64(sub) → type ‖ be64(prev main) ‖ be64(prev sub) ‖ raw key. */
    static final String KV_BY_REV = "kv_by_rev";
    /** be64(lease ^ MIN) ‖ raw key → empty: the keys currently attached to each lease. */
    static final String LEASE_KEYS = "lease_keys";
    /** ASCII names → be64 numbers. */
    static final String META = "meta";

    static final byte[] META_FORMAT = ascii("format");
    static final byte[] META_REVISION = ascii("current_revision");
    static final byte[] META_CONSISTENT_INDEX = ascii("consistent_index");
    static final byte[] META_COMPACT_SCHEDULED = ascii("compact_scheduled");
    static final byte[] META_COMPACT_FINISHED = ascii("compact_finished");
    static final long FORMAT_VERSION = 1;

    static final byte TYPE_PUT = 1;
    static final byte TYPE_DELETE = 2;
    /** The whole record of a tombstone in {@link #KV_BY_KEY}. */
    static final byte[] TOMBSTONE = {TYPE_DELETE};

    private static final int REVISION_BYTES = 16;
    private static final int PUT_HEADER = 1 + 8 + 8 + 8;
    private static final int REV_ENTRY_HEADER = 1 + 8 + 8;

    private MvccCodec() {}

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- kv_by_key keys -------------------------------------------------------------------

    /**
     * escape(key) ‖ 00 00: every 0x00 of the key becomes 00 FF, then the terminator 00 00. The result
     * sorts exactly as the keys do and no encoded key is a prefix of another, so all versions of one
     * key are contiguous and the keys between two user keys are exactly the encodings between them.
     */
    static byte[] keyPrefix(byte[] key) {
        int zeros = 0;
        for (byte b : key) {
            if (b == 0) {
                zeros++;
            }
        }
        byte[] out = new byte[key.length + zeros + 2];
        int j = 0;
        for (byte b : key) {
            out[j++] = b;
            if (b == 0) {
                out[j++] = (byte) 0xFF;
            }
        }
        // the last two bytes stay 00 00: the terminator
        return out;
    }

    /** The length of the escaped key plus terminator at the start of an encoded version key. */
    static int prefixLength(byte[] versionKey) {
        int i = 0;
        while (true) {
            if (versionKey[i] == 0) {
                if (versionKey[i + 1] == 0) {
                    return i + 2;
                }
                i += 2; // escaped zero: 00 FF
            } else {
                i++;
            }
        }
    }

    /** The raw key of an encoded version key (or of a bare {@link #keyPrefix}). */
    static byte[] decodeKey(byte[] versionKey) {
        int end = prefixLength(versionKey) - 2;
        byte[] out = new byte[end];
        int j = 0;
        for (int i = 0; i < end; i++) {
            out[j++] = versionKey[i];
            if (versionKey[i] == 0) {
                i++; // skip the FF of the escape
            }
        }
        return j == out.length ? out : Arrays.copyOf(out, j);
    }

    static byte[] versionKey(byte[] key, long main, long sub) {
        byte[] prefix = keyPrefix(key);
        byte[] out = Arrays.copyOf(prefix, prefix.length + REVISION_BYTES);
        putLong(out, prefix.length, Long.MAX_VALUE - main);
        putLong(out, prefix.length + 8, Long.MAX_VALUE - sub);
        return out;
    }

    /** The first possible version key of {@code prefix}'s key with a main revision at or below {@code revision}. */
    static byte[] seekAtOrBelow(byte[] prefix, long revision) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + 8);
        putLong(out, prefix.length, Long.MAX_VALUE - revision);
        return out;
    }

    /** A bound greater than every version of {@code prefix}'s key and not above any later key: escape(key) ‖ 00 01. */
    static byte[] afterKey(byte[] prefix) {
        byte[] out = prefix.clone();
        out[out.length - 1] = 1;
        return out;
    }

    static long mainOf(byte[] versionKey, int prefixLength) {
        return Long.MAX_VALUE - getLong(versionKey, prefixLength);
    }

    static long subOf(byte[] versionKey, int prefixLength) {
        return Long.MAX_VALUE - getLong(versionKey, prefixLength + 8);
    }

    // ---- kv_by_key records ----------------------------------------------------------------

    static byte[] encodePut(long createRevision, long version, long lease, byte[] value) {
        return encodePut(createRevision, version, lease, ByteBuffer.wrap(value));
    }

    /** As {@link #encodePut(long, long, long, byte[])}, copying the value's remaining bytes once, straight into the record. */
    static byte[] encodePut(long createRevision, long version, long lease, ByteBuffer value) {
        byte[] out = new byte[PUT_HEADER + value.remaining()];
        out[0] = TYPE_PUT;
        putLong(out, 1, createRevision);
        putLong(out, 9, version);
        putLong(out, 17, lease);
        value.duplicate().get(out, PUT_HEADER, value.remaining());
        return out;
    }

    static boolean isTombstone(byte[] record) {
        return record[0] == TYPE_DELETE;
    }

    static long createRevisionOf(byte[] record) {
        return getLong(record, 1);
    }

    static long versionOf(byte[] record) {
        return getLong(record, 9);
    }

    static long leaseOf(byte[] record) {
        return getLong(record, 17);
    }

    static byte[] valueOf(byte[] record) {
        return Arrays.copyOfRange(record, PUT_HEADER, record.length);
    }

    static void checkRecord(byte[] record) {
        if (record.length == 0 || (record[0] == TYPE_PUT && record.length < PUT_HEADER)
                || (record[0] != TYPE_PUT && record[0] != TYPE_DELETE)) {
            throw new IllegalStateException("corrupted " + KV_BY_KEY + " record of " + record.length + " bytes");
        }
    }

    // ---- kv_by_rev ------------------------------------------------------------------------

    static byte[] revisionKey(long main, long sub) {
        byte[] out = new byte[REVISION_BYTES];
        putLong(out, 0, main);
        putLong(out, 8, sub);
        return out;
    }

    static long revisionKeyMain(byte[] revisionKey) {
        return getLong(revisionKey, 0);
    }

    static long revisionKeySub(byte[] revisionKey) {
        return getLong(revisionKey, 8);
    }

    /** {@code prevMain} 0 means the key had no earlier stored version (live or tombstone). */
    static byte[] encodeRevisionEntry(byte type, long prevMain, long prevSub, byte[] key) {
        byte[] out = new byte[REV_ENTRY_HEADER + key.length];
        out[0] = type;
        putLong(out, 1, prevMain);
        putLong(out, 9, prevSub);
        System.arraycopy(key, 0, out, REV_ENTRY_HEADER, key.length);
        return out;
    }

    static byte revisionEntryType(byte[] entry) {
        return entry[0];
    }

    static long revisionEntryPrevMain(byte[] entry) {
        return getLong(entry, 1);
    }

    static long revisionEntryPrevSub(byte[] entry) {
        return getLong(entry, 9);
    }

    static byte[] revisionEntryKey(byte[] entry) {
        return Arrays.copyOfRange(entry, REV_ENTRY_HEADER, entry.length);
    }

    // ---- lease_keys -----------------------------------------------------------------------

    static byte[] leaseKeysPrefix(long lease) {
        byte[] out = new byte[8];
        putLong(out, 0, lease ^ Long.MIN_VALUE);
        return out;
    }

    /** The end (exclusive) of the lease's entries, or null for the greatest lease id. */
    static byte[] leaseKeysEnd(long lease) {
        return lease == Long.MAX_VALUE ? null : leaseKeysPrefix(lease + 1);
    }

    static byte[] leaseKey(long lease, byte[] key) {
        byte[] out = new byte[8 + key.length];
        putLong(out, 0, lease ^ Long.MIN_VALUE);
        System.arraycopy(key, 0, out, 8, key.length);
        return out;
    }

    // ---- numbers --------------------------------------------------------------------------

    static byte[] longBytes(long value) {
        byte[] out = new byte[8];
        putLong(out, 0, value);
        return out;
    }

    static void putLong(byte[] out, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            out[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    static long getLong(byte[] in, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (in[offset + i] & 0xFF);
        }
        return value;
    }
}
