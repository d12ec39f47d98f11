package io.cairn.raft;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Raft message. Which fields are meaningful depends on {@link #type()}; unused fields are 0,
 * empty or null.
 *
 * <p>Ownership: {@code context} and the entries' data are not copied (see {@link Entry}).
 *
 * @param type the kind of message
 * @param from the sender's id (0 for some local messages)
 * @param to the receiver's id
 * @param term the sender's term; 0 for local messages and for proposals, which carry no term
 * @param logTerm {@link MessageType#APP}: term of the entry at {@code index}; vote requests: term
 *     of the candidate's last entry; rejected {@link MessageType#APP_RESP}: the follower's term at
 *     {@code rejectHint}; vote and heartbeat responses carrying a commit fact (see {@code commit}):
 *     the sender's term at {@code commit}
 * @param index {@link MessageType#APP}: index preceding {@code entries}; vote requests: the
 *     candidate's last index; {@link MessageType#APP_RESP}: the index matched (or rejected);
 *     {@link MessageType#READ_INDEX_RESP}: the read index
 * @param entries entries to append (or proposed), in index order, never null
 * @param commit the sender's commit index (append and heartbeat; capped at what the follower is
 *     known to hold). A <em>commit fact</em> elsewhere, which a receiver holding the named entry may
 *     commit up to: in a vote request, the candidate's commit index (the entry is {@code index} /
 *     {@code logTerm}); in every vote response, and in a heartbeat response from a follower that
 *     knows more than the heartbeat said, an index the sender knows committed, with its term there
 *     in {@code logTerm}
 * @param snapshot {@link MessageType#SNAP}: the snapshot to install; otherwise null
 * @param reject whether a request was refused
 * @param rejectHint rejected {@link MessageType#APP_RESP}: the follower's hint where its log may
 *     match, so the leader skips ahead instead of backing up one entry at a time
 * @param context opaque data: read-index request ids, the campaign kind for a leader transfer;
 *     never null
 */
public record Message(MessageType type, long from, long to, long term, long logTerm, long index, List<Entry> entries,
        long commit, Snapshot snapshot, boolean reject, long rejectHint, byte[] context) {

    private static final byte[] NO_CONTEXT = new byte[0];

    public Message {
        Objects.requireNonNull(type, "message type is null");
        entries = FrozenList.copyOf(entries); // copied unless the engine built it
        Objects.requireNonNull(context, "message context is null (use an empty array)");
        if (from < 0 || to < 0 || term < 0 || logTerm < 0 || index < 0 || commit < 0 || rejectHint < 0) {
            throw new IllegalArgumentException("message fields must be >= 0: " + type + " from=" + from + " to=" + to
                    + " term=" + term + " logTerm=" + logTerm + " index=" + index + " commit=" + commit
                    + " rejectHint=" + rejectHint);
        }
        if (type == MessageType.SNAP && snapshot == null) {
            throw new IllegalArgumentException("SNAP message without a snapshot");
        }
    }

    /** A builder for a message of {@code type}. */
    public static Builder builder(MessageType type) {
        return new Builder(type);
    }

    /** A builder prefilled with this message's fields. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.from = from;
        b.to = to;
        b.term = term;
        b.logTerm = logTerm;
        b.index = index;
        b.entries = entries;
        b.commit = commit;
        b.snapshot = snapshot;
        b.reject = reject;
        b.rejectHint = rejectHint;
        b.context = context;
        return b;
    }

    /** Total size of the entries, as counted against size limits. */
    public long entriesSizeBytes() {
        long size = 0;
        for (int i = 0; i < entries.size(); i++) {
            size += entries.get(i).sizeBytes();
        }
        return size;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && type == m.type && from == m.from && to == m.to && term == m.term
                && logTerm == m.logTerm && index == m.index && entries.equals(m.entries) && commit == m.commit
                && Objects.equals(snapshot, m.snapshot) && reject == m.reject && rejectHint == m.rejectHint
                && Arrays.equals(context, m.context);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, from, to, term, logTerm, index, entries, commit, snapshot, reject, rejectHint,
                Arrays.hashCode(context));
    }

    /** A compact one-line rendering, used in transcripts: {@code 1->2 APP Term:1 Log:1/3 Commit:2 Entries:[...]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(from).append("->").append(to).append(' ').append(type).append(" Term:").append(term)
                .append(" Log:").append(logTerm).append('/').append(index);
        if (reject) {
            sb.append(" Rejected (Hint: ").append(rejectHint).append(')');
        }
        if (commit != 0) {
            sb.append(" Commit:").append(commit);
        }
        if (!entries.isEmpty()) {
            sb.append(" Entries:").append(entries);
        }
        if (context.length > 0) {
            sb.append(" Context:").append(Bytes.printable(context));
        }
        if (snapshot != null && !snapshot.isEmpty()) {
            sb.append(" Snapshot: index=").append(snapshot.metadata().index()).append(" term=")
                    .append(snapshot.metadata().term()).append(' ').append(snapshot.metadata().confState());
        }
        return sb.toString();
    }

    /** Mutable builder for {@link Message}; not thread-safe. */
    public static final class Builder {
        private final MessageType type;
        private long from;
        private long to;
        private long term;
        private long logTerm;
        private long index;
        private List<Entry> entries = List.of();
        private long commit;
        private Snapshot snapshot;
        private boolean reject;
        private long rejectHint;
        private byte[] context = NO_CONTEXT;

        private Builder(MessageType type) {
            this.type = Objects.requireNonNull(type, "message type is null");
        }

        public Builder from(long v) { from = v; return this; }
        public Builder to(long v) { to = v; return this; }
        public Builder term(long v) { term = v; return this; }
        public Builder logTerm(long v) { logTerm = v; return this; }
        public Builder index(long v) { index = v; return this; }
        public Builder entries(List<Entry> v) { entries = v; return this; }
        public Builder commit(long v) { commit = v; return this; }
        public Builder snapshot(Snapshot v) { snapshot = v; return this; }
        public Builder reject(boolean v) { reject = v; return this; }
        public Builder rejectHint(long v) { rejectHint = v; return this; }
        public Builder context(byte[] v) { context = v; return this; }

        public Message build() {
            return new Message(type, from, to, term, logTerm, index, entries, commit, snapshot, reject, rejectHint, context);
        }
    }
}
