package io.cairn.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The leader's pending read-index requests under {@link ReadOnlyOption#SAFE}: each waits for a
 * quorum to acknowledge a heartbeat carrying its context (Raft thesis §6.4). Requests are
 * answered in arrival order; an acknowledgement of a later request confirms the earlier ones too.
 */
final class ReadOnly {
    /** A request waiting for its heartbeat round. */
    static final class Status {
        final Message request;
        final long index;
        final TreeMap<Long, Boolean> acks = new TreeMap<>();

        Status(Message request, long index) {
            this.request = request;
            this.index = index;
        }
    }

    final ReadOnlyOption option;
    private final Map<ByteBuffer, Status> pending = new HashMap<>();
    private final List<ByteBuffer> queue = new ArrayList<>();

    ReadOnly(ReadOnlyOption option) {
        this.option = option;
    }

    /** Registers a request (identified by its context) to be answered with {@code index}. */
    void addRequest(long index, Message m) {
        ByteBuffer key = ByteBuffer.wrap(m.context());
        if (pending.containsKey(key)) {
            return;
        }
        pending.put(key, new Status(m, index));
        queue.add(key);
    }

    /** Records that {@code id} acknowledged the heartbeat for {@code context}; returns the acks so far, or null. */
    Map<Long, Boolean> recvAck(long id, byte[] context) {
        Status s = pending.get(ByteBuffer.wrap(context));
        if (s == null) {
            return null;
        }
        s.acks.put(id, true);
        return s.acks;
    }

    /** Removes and returns the requests up to and including the one with {@code context}. */
    List<Status> advance(byte[] context) {
        ByteBuffer key = ByteBuffer.wrap(context);
        int at = queue.indexOf(key);
        if (at < 0) {
            return List.of();
        }
        List<Status> done = new ArrayList<>();
        for (int i = 0; i <= at; i++) {
            done.add(pending.remove(queue.get(i)));
        }
        queue.subList(0, at + 1).clear();
        return done;
    }

    /** The context of the newest pending request, or null. */
    byte[] lastPendingContext() {
        if (queue.isEmpty()) {
            return null;
        }
        ByteBuffer b = queue.get(queue.size() - 1);
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    int pendingCount() {
        return queue.size();
    }
}
