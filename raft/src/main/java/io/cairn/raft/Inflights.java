package io.cairn.raft;

/**
 * The appends sent to one follower in {@link ProgressState#REPLICATE} and not yet acknowledged,
 * as a ring buffer of (last index, bytes), oldest first. Bounded by a message count and a byte
 * total so that a slow follower cannot make the leader buffer without limit.
 *
 * <p>Invariants: {@code 0 <= count <= capacity}; indexes strictly increase from oldest to newest;
 * {@code bytes} is the sum of the held sizes.
 */
final class Inflights {
    private final int capacity;
    /** 0 means no byte limit. */
    private final long maxBytes;
    private final long[] indexes;
    private final long[] sizes;
    private int start;
    private int count;
    private long bytes;

    Inflights(int capacity, long maxBytes) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("inflights capacity must be > 0, got " + capacity);
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.indexes = new long[capacity];
        this.sizes = new long[capacity];
    }

    /** Records an append whose last entry is {@code index}. The caller checks {@link #full()} first. */
    void add(long index, long size) {
        if (full()) {
            throw new IllegalStateException("cannot add to full inflights (" + count + " messages, " + bytes + " bytes)");
        }
        if (count > 0 && index <= indexes[(start + count - 1) % capacity]) {
            throw new IllegalArgumentException("inflight index " + index + " does not increase");
        }
        int slot = (start + count) % capacity;
        indexes[slot] = index;
        sizes[slot] = size;
        count++;
        bytes += size;
    }

    /** Forgets every append whose last index is {@code <= to} (they were acknowledged). */
    void freeLE(long to) {
        while (count > 0 && indexes[start] <= to) {
            bytes -= sizes[start];
            start = (start + 1) % capacity;
            count--;
        }
        if (count == 0) {
            start = 0;
        }
    }

    /** Forgets the oldest append (a heartbeat answer shows the follower is alive, so let one more through). */
    void freeFirstOne() {
        if (count > 0) {
            freeLE(indexes[start]);
        }
    }

    /** Whether no further append may be sent. */
    boolean full() {
        return count == capacity || (maxBytes != 0 && bytes >= maxBytes);
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    void reset() {
        start = 0;
        count = 0;
        bytes = 0;
    }
}
