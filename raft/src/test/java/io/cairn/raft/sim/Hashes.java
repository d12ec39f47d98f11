package io.cairn.raft.sim;

import io.cairn.raft.Entry;

/**
 * 64-bit hashes used by the simulator: a chain hash over a log prefix (so two logs agree up to an
 * index exactly when their chain hashes at that index agree, up to collisions) and a trace hash.
 */
final class Hashes {
    private Hashes() {}

    /** The chain hash of the empty prefix (index 0). */
    static final long EMPTY_CHAIN = 0x5EED_CA1E_0000_0001L;

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Combines a running hash with one more value (order-sensitive). */
    static long combine(long h, long v) {
        return mix(h * 0x9E3779B97F4A7C15L + v + 0x632BE59BD9B4E019L);
    }

    static long bytes(byte[] data) {
        long h = 0xCBF29CE484222325L ^ data.length;
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            long w = 0;
            for (int j = 0; j < 8; j++) {
                w = (w << 8) | (data[i + j] & 0xFF);
            }
            h = combine(h, w);
        }
        for (; i < data.length; i++) {
            h = combine(h, data[i]);
        }
        return h;
    }

    /** The chain hash of a prefix ending with {@code e}, given the chain hash of the prefix before it. */
    static long chain(long previous, Entry e) {
        long h = combine(previous, e.index());
        h = combine(h, e.term());
        h = combine(h, e.type().ordinal());
        return combine(h, bytes(e.data()));
    }
}
