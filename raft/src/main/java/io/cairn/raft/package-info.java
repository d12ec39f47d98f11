/**
 * The Raft engine ({@link io.cairn.raft.RawNode}), its messages, log storage contract and codec.
 */
package io.cairn.raft;
