package io.cairn.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable sequence of bytes: the type of every key, value and name in the API.
 *
 * <p>Every factory copies its input and every accessor that hands out an array copies it, so a
 * {@code Bytes} never changes after construction, whatever the caller does with its arrays.
 * Ordering ({@link #compareTo}) is unsigned lexicographic, the order etcd and every Cairn storage
 * backend use for keys: {@code 0xFF} sorts after {@code 0x01}, and a proper prefix sorts first.
 *
 * <h2>Range ends</h2>
 * etcd names a key range by {@code [key, rangeEnd)} with two conventions this class supports:
 * <ul>
 *   <li>An empty {@code rangeEnd} means the single key {@code key}.
 *   <li>A {@code rangeEnd} of {@link #NUL} (one zero byte) means "no upper bound": every key
 *       {@code >= key}. With {@code key} also {@link #NUL} that is every key.
 * </ul>
 * {@link #prefixEnd()} computes the range end that selects every key starting with this prefix.
 *
 * <p>Instances are thread-safe. {@link #equals}/{@link #hashCode} compare contents.
 */
@Stable(since = "0.1")
public final class Bytes implements Comparable<Bytes> {

    /** The empty sequence: as a range end, "only the key itself". */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    /** The single zero byte {@code "\0"}: as a range end, "every key {@code >=} the key". */
    public static final Bytes NUL = new Bytes(new byte[] {0});

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    /** Takes ownership of {@code bytes}: callers pass a fresh array no one else holds. */
    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A copy of {@code bytes}; later changes to the array do not show.
     *
     * @throws NullPointerException if {@code bytes} is null
     */
    public static Bytes of(byte... bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /**
     * A copy of {@code length} bytes of {@code bytes} starting at {@code offset}.
     *
     * @throws NullPointerException if {@code bytes} is null
     * @throws IndexOutOfBoundsException if the slice is not inside the array
     */
    public static Bytes copyOf(byte[] bytes, int offset, int length) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /**
     * A copy of the remaining bytes of {@code buffer}; the buffer's position is not moved.
     *
     * @throws NullPointerException if {@code buffer} is null
     */
    public static Bytes of(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy.length == 0 ? EMPTY : new Bytes(copy);
    }

    /**
     * The UTF-8 encoding of {@code text}.
     *
     * @throws NullPointerException if {@code text} is null
     */
    public static Bytes fromUtf8(String text) {
        Objects.requireNonNull(text, "text");
        return text.isEmpty() ? EMPTY : new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes decoded as UTF-8; malformed input becomes U+FFFD, as {@link String#String(byte[], java.nio.charset.Charset)} does. */
    public String toUtf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A fresh copy of the bytes, owned by the caller. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** A read-only view of the bytes, positioned at 0; no copy is made. */
    public ByteBuffer asReadOnlyByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The number of bytes. */
    public int size() {
        return bytes.length;
    }

    /** Whether there are no bytes. */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /**
     * The byte at {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
     */
    public byte byteAt(int index) {
        Objects.checkIndex(index, bytes.length);
        return bytes[index];
    }

    /**
     * Whether this sequence starts with {@code prefix} (every sequence starts with {@link #EMPTY}).
     *
     * @throws NullPointerException if {@code prefix} is null
     */
    public boolean startsWith(Bytes prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return prefix.bytes.length <= bytes.length
                && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
    }

    /**
     * This sequence followed by {@code suffix}.
     *
     * @throws NullPointerException if {@code suffix} is null
     */
    public Bytes concat(Bytes suffix) {
        Objects.requireNonNull(suffix, "suffix");
        if (suffix.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return suffix;
        }
        byte[] joined = Arrays.copyOf(bytes, bytes.length + suffix.bytes.length);
        System.arraycopy(suffix.bytes, 0, joined, bytes.length, suffix.bytes.length);
        return new Bytes(joined);
    }

    /**
     * The bytes {@code [from, to)} as a new sequence.
     *
     * @throws IndexOutOfBoundsException if {@code 0 <= from <= to <= size()} does not hold
     */
    public Bytes slice(int from, int to) {
        Objects.checkFromToIndex(from, to, bytes.length);
        return copyOf(bytes, from, to - from);
    }

    /**
     * The smallest sequence greater than every sequence that starts with this one: the
     * {@code rangeEnd} that makes {@code [this, prefixEnd())} the range of all keys with this prefix.
     *
     * <p>Computed as etcd does: drop trailing {@code 0xFF} bytes, then add one to the last byte
     * ({@code "ab"} gives {@code "ac"}, {@code "a\xFF"} gives {@code "b"}). When nothing is left,
     * because the sequence is empty or all {@code 0xFF}, no finite sequence bounds the prefix and
     * the result is {@link #NUL}, etcd's "no upper bound".
     */
    public Bytes prefixEnd() {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(bytes, i + 1);
                end[i]++;
                return new Bytes(end);
            }
        }
        return NUL;
    }

    /** Unsigned lexicographic order, the order of keys in etcd and in Cairn's storage. */
    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * The bytes as a quoted string for logs: printable ASCII as is, everything else as
     * {@code \xNN} (like Go's {@code %q}), so binary keys stay readable and unambiguous.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int unsigned = b & 0xFF;
            if (unsigned == '"' || unsigned == '\\') {
                text.append('\\').append((char) unsigned);
            } else if (unsigned >= 0x20 && unsigned < 0x7F) {
                text.append((char) unsigned);
            } else {
                text.append("\\x").append(HEX.toHexDigits(b));
            }
        }
        return text.append('"').toString();
    }
}
