package io.cairn.transport.grpc;

import com.google.protobuf.ByteString;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The bytes of an incoming snapshot as the handler reads them: chunks are asked of gRPC
 * ({@code requestChunks}) only as the reader uses them up, at most {@link #PREFETCH_CHUNKS} ahead,
 * so a snapshot of any size holds a few chunks in memory here and gRPC's flow-control window on
 * the wire, and a slow reader slows the sender down instead of filling the heap.
 *
 * <p>Threading: {@link #offer}, {@link #end} and {@link #fail} come from gRPC's callbacks, the
 * reads from the handler's thread; all state is under this object's lock.
 */
final class SnapshotDataStream extends InputStream {

    /** Chunks asked for ahead of the reader. */
    static final int PREFETCH_CHUNKS = 2;

    private final IntConsumer requestChunks;

    // Guarded by this.
    private final ArrayDeque<ByteString> chunks = new ArrayDeque<>();
    private ByteString current = ByteString.EMPTY;
    private int offset;
    private boolean ended;
    private IOException failure;
    private boolean closed;

    SnapshotDataStream(IntConsumer requestChunks) {
        this.requestChunks = requestChunks;
        requestChunks.accept(PREFETCH_CHUNKS);
    }

    synchronized void offer(ByteString chunk) {
        if (!closed && failure == null) {
            chunks.add(chunk);
            notifyAll();
        }
    }

    /** The sender has sent everything: the reader gets end of stream after the chunks queued. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** The stream broke: the reader gets {@code cause} at its next read; chunks not read yet are dropped. */
    synchronized void fail(IOException cause) {
        if (failure == null && !ended) {
            failure = cause;
            chunks.clear();
            notifyAll();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int from, int length) throws IOException {
        Objects.checkFromIndexSize(from, length, into.length);
        if (length == 0) {
            return 0;
        }
        boolean chunkUsedUp = false;
        int n;
        synchronized (this) {
            if (!awaitBytes()) {
                return -1;
            }
            n = Math.min(length, current.size() - offset);
            current.copyTo(into, offset, from, n);
            offset += n;
            if (offset == current.size()) {
                chunkUsedUp = true;
                current = ByteString.EMPTY;
                offset = 0;
            }
        }
        if (chunkUsedUp) {
            requestChunks.accept(1);
        }
        return n;
    }

    @Override
    public synchronized int available() throws IOException {
        if (closed) {
            throw new IOException("snapshot data stream closed");
        }
        return current.size() - offset;
    }

    @Override
    public synchronized void close() {
        closed = true;
        chunks.clear();
        current = ByteString.EMPTY;
        offset = 0;
        notifyAll();
    }

    /** Waits for bytes in {@link #current}; false at the end of the stream. Called under the lock. */
    private boolean awaitBytes() throws IOException {
        while (true) {
            if (closed) {
                throw new IOException("snapshot data stream closed");
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            if (offset < current.size()) {
                return true;
            }
            ByteString next = chunks.poll();
            if (next != null) {
                if (next.isEmpty()) {
                    requestChunks.accept(1); // an empty chunk uses up its request at once
                    continue;
                }
                current = next;
                offset = 0;
                return true;
            }
            if (ended) {
                return false;
            }
            try {
                wait();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for snapshot data", interrupted);
            }
        }
    }
}
