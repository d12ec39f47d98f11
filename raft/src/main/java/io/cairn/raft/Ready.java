package io.cairn.raft;

import java.util.List;

/**
 * What a node asks its caller to do, returned by {@link RawNode#ready()}. Immutable. The caller
 * handles the parts <b>in this order</b> and then calls {@link RawNode#advance(Ready)} with this
 * same object:
 *
 * <ol>
 *   <li>{@link #snapshot()}, {@link #entries()} and {@link #hardState()}: write to stable storage
 *       (one synced batch when {@link #mustSync()}). Entries with an index already in storage
 *       replace them and every later entry.
 *   <li>{@link #messages()}: send, only <em>after</em> step 1 is durable, because they may promise
 *       what was persisted (a vote, an acknowledged append).
 *   <li>{@link #snapshot()}: install into the state machine; then apply {@link #committedEntries()}
 *       in order, calling {@link RawNode#applyConfChange} for each {@link EntryType#CONF_CHANGE}.
 *   <li>{@link #readStates()}: answer each read once the applied index reaches its index.
 * </ol>
 *
 * <p>{@code advance} marks the committed entries as applied. Conf changes must have gone through
 * {@link RawNode#applyConfChange} before it; normal entries (and the snapshot install) may be
 * applied to the state machine afterwards, asynchronously, as long as their order is kept and a
 * read state is served only once the state machine itself has reached its index. Messages may
 * be lost (Raft tolerates loss) but must not be sent before step 1 is durable. One exception: for every {@link MessageType#SNAP} message, the caller
 * must report the outcome with {@link RawNode#reportSnapshot} once the transport knows it (and
 * report failure if the message is dropped); until then the leader sends that follower nothing
 * else.
 *
 * @param softState the new leader/role, or null when unchanged; informational
 * @param hardState the term/vote/commit to persist before sending {@link #messages()}, or null
 *     when unchanged
 * @param readStates read indexes that became ready; serve each once applied reaches its index
 * @param entries entries to persist before sending {@link #messages()}; may overwrite a suffix
 * @param snapshot a snapshot to persist (before the messages) and then install into the state
 *     machine, or null
 * @param committedEntries entries to apply to the state machine, in order; already persisted
 *     (possibly only in an earlier Ready's {@code entries})
 * @param messages messages to send once everything above is durable; may be sent in any order
 *     and lost, but not sent before persistence
 * @param mustSync whether the persisted parts must be synced to disk (false only when nothing of
 *     {@code entries}/term/vote changed)
 */
public record Ready(SoftState softState, HardState hardState, List<ReadState> readStates, List<Entry> entries,
        Snapshot snapshot, List<Entry> committedEntries, List<Message> messages, boolean mustSync) {

    public Ready {
        // Copied, unless the engine built them (then nobody else holds them: see FrozenList).
        readStates = FrozenList.copyOf(readStates);
        entries = FrozenList.copyOf(entries);
        committedEntries = FrozenList.copyOf(committedEntries);
        messages = FrozenList.copyOf(messages);
    }

    /** Whether this Ready asks for nothing at all. */
    public boolean isEmpty() {
        return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty() && snapshot == null
                && committedEntries.isEmpty() && messages.isEmpty();
    }
}
