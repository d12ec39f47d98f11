package io.cairn.storage.xodus;

import io.cairn.spi.storage.EntryVisitor;
import io.cairn.spi.storage.ScanOrder;
import java.util.Arrays;
import java.util.Objects;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.Transaction;

/**
 * Point gets, bounded scans and range deletes on one Xodus store within a transaction: the read logic shared by
 * the backend (a fresh read-only transaction per call) and its snapshots (one long read-only transaction).
 *
 * <p>Keys are stored as they are: Xodus's B+tree store ({@code StoreConfig.WITHOUT_DUPLICATES}) orders
 * {@link ByteIterable}s unsigned-lexicographically, a proper prefix first, and accepts the empty key (checked by
 * {@code XodusBackendTest.keysSortAsUnsignedBytes}).
 */
final class StoreReads {

    private StoreReads() {}

    /** The value under {@code key}, as a fresh array, or {@code null}. */
    static byte[] get(Store store, Transaction txn, byte[] key) {
        ByteIterable value = store.get(txn, new ArrayByteIterable(key));
        return value == null ? null : copy(value);
    }

    /**
     * Visits {@code [start, end)} in {@code order}, at most {@code limit} entries (0: no limit), until the visitor
     * declines. Arguments are checked by the caller.
     *
     * @return the number of entries visited
     */
    static int scan(Store store, Transaction txn, byte[] start, byte[] end, ScanOrder order, int limit,
            EntryVisitor visitor) {
        if (isEmptyRange(start, end)) {
            return 0;
        }
        int visited = 0;
        try (Cursor cursor = store.openCursor(txn)) {
            if (order == ScanOrder.ASCENDING) {
                boolean positioned = start == null ? cursor.getNext() : cursor.getSearchKeyRange(new ArrayByteIterable(start)) != null;
                while (positioned) {
                    byte[] key = copy(cursor.getKey());
                    if (end != null && Arrays.compareUnsigned(key, end) >= 0) {
                        break;
                    }
                    visited++;
                    if (!visitor.visit(key, copy(cursor.getValue())) || visited == limit) {
                        break;
                    }
                    positioned = cursor.getNext();
                }
            } else {
                boolean positioned = positionBelow(cursor, end);
                while (positioned) {
                    byte[] key = copy(cursor.getKey());
                    if (start != null && Arrays.compareUnsigned(key, start) < 0) {
                        break;
                    }
                    visited++;
                    if (!visitor.visit(key, copy(cursor.getValue())) || visited == limit) {
                        break;
                    }
                    positioned = cursor.getPrev();
                }
            }
        }
        return visited;
    }

    /** Deletes every key of {@code [start, end)} from {@code store}, inside the writing {@code txn}. */
    static void deleteRange(Store store, Transaction txn, byte[] start, byte[] end) {
        if (isEmptyRange(start, end)) {
            return;
        }
        try (Cursor cursor = store.openCursor(txn)) {
            boolean positioned = start == null ? cursor.getNext() : cursor.getSearchKeyRange(new ArrayByteIterable(start)) != null;
            while (positioned) {
                if (end != null && Arrays.compareUnsigned(copy(cursor.getKey()), end) >= 0) {
                    break;
                }
                cursor.deleteCurrent();
                positioned = cursor.getNext();
            }
        }
    }

    /** Places the cursor on the greatest key below {@code end} (any key if {@code end} is null). */
    private static boolean positionBelow(Cursor cursor, byte[] end) {
        if (end == null) {
            return cursor.getLast();
        }
        if (cursor.getSearchKeyRange(new ArrayByteIterable(end)) != null) {
            return cursor.getPrev(); // on the smallest key >= end: the one before it is the greatest key < end
        }
        return cursor.getLast(); // every key is below end
    }

    /** Whether {@code [start, end)} holds no key at all: start not below end, or end the empty (smallest) key. */
    static boolean isEmptyRange(byte[] start, byte[] end) {
        if (end == null) {
            return false;
        }
        return end.length == 0 || start != null && Arrays.compareUnsigned(start, end) >= 0;
    }

    /** A fresh array with the bytes of {@code bytes}; Xodus may hand out longer or shared backing arrays. */
    static byte[] copy(ByteIterable bytes) {
        Objects.requireNonNull(bytes, "bytes is null");
        return Arrays.copyOf(bytes.getBytesUnsafe(), bytes.getLength());
    }
}
