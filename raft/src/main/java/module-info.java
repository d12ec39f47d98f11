/**
 * The pure Raft engine: a single-threaded state machine with no threads, clock, I/O or randomness
 * of its own, driven through {@link io.cairn.raft.RawNode}.
 */
module io.cairn.raft {
    exports io.cairn.raft;
}
