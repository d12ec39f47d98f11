package io.cairn.raft.sim;

import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the Raft safety properties on what the simulated nodes do, incrementally, as they do it.
 * It sees only what an application sees (persisted logs, Readys, applied entries), never the
 * engine's internals, so it can also be fed hand-made histories (see {@code SafetyCheckerTest}).
 *
 * <p>Properties (Raft paper Figure 3, plus the Ready contract):
 * <ul>
 *   <li><b>Election safety</b>: at most one leader per term ({@link #leaderSeen}).
 *   <li><b>Log matching</b>: if two persisted logs hold an entry with the same index and term, they
 *       hold the same entries up to it. Each node's persisted log is shadowed as chain hashes
 *       ({@link Hashes#chain}); a global table maps (index, term) to the chain hash first seen.
 *   <li><b>Leader completeness</b>: a leader of term T holds every entry committed in a term before T
 *       ({@link #leaderLogChecked}). Commits are recorded per term from leaders' hard states and,
 *       as an upper bound on the commit term, from applies.
 *   <li><b>State machine safety</b>: no two nodes apply different entries at one index; every
 *       index has one committed chain hash, whoever reports it (applies, leader commits, snapshots).
 *   <li><b>Applied is monotonic</b>: within one incarnation of a node, entries are applied at
 *       {@code applied + 1} only, and a snapshot only moves applied forward. A restarted node starts
 *       from its persisted snapshot, which must not be ahead of what it applied before the crash.
 *   <li><b>Durable votes</b>: a node's persisted term never decreases, its persisted vote never
 *       changes within a term, its persisted commit never decreases (except when the simulated disk
 *       lost an unsynced write, {@link #unsyncedWritesLost}).
 * </ul>
 *
 * <p>Every method takes an {@code event} description used in failure messages. Not thread-safe.
 */
final class SafetyChecker {

    /** A node's persisted log as chain hashes: entry {@code base + 1 + i} has term terms[i], chain hash chains[i]. */
    private static final class ShadowLog {
        long base;
        long baseTerm;
        long baseChain = Hashes.EMPTY_CHAIN;
        long[] terms = new long[64];
        long[] chains = new long[64];
        int size;

        long lastIndex() {
            return base + size;
        }

        /** The chain hash at {@code index}, which must be in [base, lastIndex]. */
        long chainAt(long index) {
            return index == base ? baseChain : chains[(int) (index - base - 1)];
        }

        long termAt(long index) {
            return index == base ? baseTerm : terms[(int) (index - base - 1)];
        }

        void truncateTo(long lastKept) {
            size = (int) (lastKept - base);
        }

        void add(long term, long chain) {
            if (size == terms.length) {
                terms = Arrays.copyOf(terms, size * 2);
                chains = Arrays.copyOf(chains, size * 2);
            }
            terms[size] = term;
            chains[size] = chain;
            size++;
        }
    }

    /** Per node: state of the current incarnation and what persists across them. */
    private static final class NodeRecord {
        final ShadowLog log = new ShadowLog();
        /** Applied index of the current incarnation. */
        long applied;
        /** Chain hash of the applied prefix, for the current incarnation. */
        long appliedChain = Hashes.EMPTY_CHAIN;
        /** Highest index ever applied, across incarnations. */
        long maxAppliedEver;
        HardState persisted = HardState.EMPTY;
    }

    private final TreeMap<Long, NodeRecord> nodes = new TreeMap<>();
    /** term -> the node seen leading it. */
    private final TreeMap<Long, Long> leaderByTerm = new TreeMap<>();
    /** (index, term) -> chain hash, for log matching: byIndex[index] holds pairs (term, chain). */
    private long[][] logMatching = new long[256][];
    /** index -> the committed chain hash at index, 0 if not known yet. */
    private long[] committedChain = new long[256];
    /** term -> highest index known committed no later than that term. */
    private final TreeMap<Long, Long> commitByTerm = new TreeMap<>();
    private long checks;

    /** How many individual checks passed (reported by the test, to show the checker ran). */
    long checks() {
        return checks;
    }

    private NodeRecord node(long id) {
        return nodes.computeIfAbsent(id, k -> new NodeRecord());
    }

    private static InvariantViolation fail(String property, Object event, String detail) {
        return new InvariantViolation(property + " violated at [" + event + "]: " + detail);
    }

    // ------------------------------------------------------------------ election safety

    /** Node {@code id} is leader in {@code term}. */
    void leaderSeen(long id, long term, Object event) {
        checks++;
        Long previous = leaderByTerm.putIfAbsent(term, id);
        if (previous != null && previous != id) {
            throw fail("Election safety", event, "nodes " + previous + " and " + id + " are both leader in term " + term);
        }
    }

    // ------------------------------------------------------------------ persisted state

    /**
     * Node {@code id} persisted {@code hs}. {@code mustSync} is the Ready's flag and
     * {@code changedLog} whether the same Ready persisted entries or a snapshot: the flag must be set
     * when the log, the term or the vote changed.
     */
    void hardStatePersisted(long id, HardState hs, boolean mustSync, boolean changedLog, Object event) {
        checks++;
        NodeRecord n = node(id);
        HardState old = n.persisted;
        if (hs.term() < old.term()) {
            throw fail("Durable term", event, "node " + id + " persisted term " + hs.term() + " after term " + old.term());
        }
        if (hs.term() == old.term() && old.vote() != 0 && hs.vote() != old.vote()) {
            throw fail("Durable vote", event, "node " + id + " changed its vote in term " + hs.term() + " from "
                    + old.vote() + " to " + hs.vote());
        }
        if (hs.commit() < old.commit()) {
            throw fail("Durable commit", event, "node " + id + " persisted commit " + hs.commit() + " after "
                    + old.commit() + " (term " + hs.term() + ")");
        }
        if (!mustSync && (changedLog || hs.term() != old.term() || hs.vote() != old.vote())) {
            throw fail("Ready contract (mustSync)", event, "node " + id + " got mustSync=false for " + hs + " after "
                    + old + (changedLog ? " with new entries or a snapshot" : ""));
        }
        n.persisted = hs;
    }

    /** A Ready without a hard state persisted entries or a snapshot: {@code mustSync} must be set. */
    void logPersistedWithoutHardState(long id, boolean mustSync, Object event) {
        checks++;
        if (!mustSync) {
            throw fail("Ready contract (mustSync)", event, "node " + id + " got mustSync=false with new entries or a snapshot");
        }
    }

    /** The simulated disk of node {@code id} lost unsynced writes in a crash; its hard state is back to {@code restored}. */
    void unsyncedWritesLost(long id, HardState restored) {
        node(id).persisted = restored;
    }

    /** Only for sabotage tests: the disk of node {@code id} lost every entry after {@code lastKept}. */
    void logLost(long id, long lastKept) {
        ShadowLog log = node(id).log;
        if (lastKept < log.lastIndex()) {
            log.truncateTo(Math.max(lastKept, log.base));
        }
    }

    /**
     * Node {@code id} persisted a snapshot received from a leader. The in-memory disk drops every
     * entry then ({@code MemoryRaftStorage.applySnapshot}): the log now starts at the snapshot.
     * (A snapshot the node creates from its own state machine does not change its logical log.)
     */
    void snapshotReceived(long id, long index, long term, long chain, Object event) {
        checks++;
        recordCommitted(index, chain, "snapshot received by node " + id, event);
        recordLogEntry(index, term, chain, id, event);
        ShadowLog log = node(id).log;
        log.base = index;
        log.size = 0;
        log.baseTerm = term;
        log.baseChain = chain;
    }

    /** Node {@code id} persisted {@code entries} (consecutive; an index it holds replaces that entry and all later ones). */
    void entriesPersisted(long id, List<Entry> entries, Object event) {
        if (entries.isEmpty()) {
            return;
        }
        ShadowLog log = node(id).log;
        long first = entries.get(0).index();
        if (first > log.lastIndex() + 1) {
            throw fail("Log contiguity", event, "node " + id + " persisted entries from " + first
                    + " after its last index " + log.lastIndex());
        }
        int skip = 0;
        if (first <= log.base) {
            skip = (int) (log.base + 1 - first);
            if (skip >= entries.size()) {
                return;
            }
            first = log.base + 1;
        }
        log.truncateTo(first - 1);
        long chain = log.chainAt(first - 1);
        for (int i = skip; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.index() != log.lastIndex() + 1) {
                throw fail("Log contiguity", event, "node " + id + " persisted entry " + e.index() + " after " + log.lastIndex());
            }
            chain = Hashes.chain(chain, e);
            log.add(e.term(), chain);
            recordLogEntry(e.index(), e.term(), chain, id, event);
        }
    }

    private void recordLogEntry(long index, long term, long chain, long id, Object event) {
        checks++;
        if (index == 0) {
            return;
        }
        if (index >= logMatching.length) {
            logMatching = Arrays.copyOf(logMatching, (int) Math.max(index + 1, logMatching.length * 2L));
        }
        long[] pairs = logMatching[(int) index];
        if (pairs == null) {
            logMatching[(int) index] = new long[] {term, chain};
            return;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] == term) {
                if (pairs[i + 1] != chain) {
                    throw fail("Log matching", event, "node " + id + " holds entry index " + index + " term " + term
                            + " with a different log prefix than another node that holds index " + index + " term " + term);
                }
                return;
            }
        }
        long[] grown = Arrays.copyOf(pairs, pairs.length + 2);
        grown[pairs.length] = term;
        grown[pairs.length + 1] = chain;
        logMatching[(int) index] = grown;
    }

    // ------------------------------------------------------------------ commitment

    private void recordCommitted(long index, long chain, String who, Object event) {
        checks++;
        if (index == 0) {
            return;
        }
        if (index >= committedChain.length) {
            committedChain = Arrays.copyOf(committedChain, (int) Math.max(index + 1, committedChain.length * 2L));
        }
        long known = committedChain[(int) index];
        if (known == 0) {
            committedChain[(int) index] = chain;
        } else if (known != chain) {
            throw fail("State machine safety", event, who + " has a different committed prefix at index " + index
                    + " than was committed (applied, or reported by a leader) before");
        }
    }

    private long committedChainAt(long index) {
        return index < committedChain.length ? committedChain[(int) index] : 0;
    }

    private void recordCommitInTerm(long term, long index) {
        commitByTerm.merge(term, index, Math::max);
    }

    /**
     * Leader {@code id} of {@code term} has {@code commit} in its (just persisted) hard state, and its
     * persisted log holds its whole log. Records the commit and checks leader completeness.
     */
    void leaderLogChecked(long id, long term, long commit, Object event) {
        NodeRecord n = node(id);
        ShadowLog log = n.log;
        if (commit > log.lastIndex()) {
            throw fail("Leader commit", event, "leader " + id + " of term " + term + " has commit " + commit
                    + " beyond its persisted last index " + log.lastIndex());
        }
        if (commit >= log.base && commit > 0) {
            recordCommitted(commit, log.chainAt(commit), "leader " + id + " (term " + term + ")", event);
            recordCommitInTerm(term, commit);
        }
        long before = 0;
        for (long c : commitByTerm.headMap(term, false).values()) {
            before = Math.max(before, c);
        }
        checks++;
        if (before == 0) {
            return;
        }
        if (before > log.lastIndex()) {
            throw fail("Leader completeness", event, "leader " + id + " of term " + term + " ends at index "
                    + log.lastIndex() + " but index " + before + " was committed in an earlier term");
        }
        long expected = committedChainAt(before);
        long index = before;
        if (before < log.base) {
            // Covered by the leader's snapshot, itself checked against the committed chain.
            index = log.base;
            expected = committedChainAt(log.base);
        }
        if (expected != 0 && log.chainAt(index) != expected) {
            throw fail("Leader completeness", event, "leader " + id + " of term " + term + " holds index " + index
                    + " term " + log.termAt(index) + " but a different entry (or prefix) was committed there in an earlier term");
        }
    }

    // ------------------------------------------------------------------ state machine

    /**
     * Node {@code id} (a new incarnation) starts its state machine from its persisted snapshot at
     * {@code index} with chain hash {@code chain}.
     */
    void restarted(long id, long index, long chain, Object event) {
        checks++;
        NodeRecord n = node(id);
        if (index > n.maxAppliedEver) {
            throw fail("Applied monotonic", event, "node " + id + " restarts at applied " + index
                    + " but never applied beyond " + n.maxAppliedEver);
        }
        if (index > 0) {
            long known = committedChainAt(index);
            if (known != 0 && known != chain) {
                throw fail("State machine safety", event, "node " + id + " restarts from a snapshot at " + index
                        + " whose state differs from what was committed there");
            }
        }
        n.applied = index;
        n.appliedChain = chain;
    }

    /** Node {@code id}, whose current term is {@code nodeTerm}, applied {@code e}. */
    void applied(long id, long nodeTerm, Entry e, Object event) {
        NodeRecord n = node(id);
        if (e.index() != n.applied + 1) {
            throw fail("Applied monotonic", event, "node " + id + " applied index " + e.index() + " (term " + e.term()
                    + ") after applied index " + n.applied);
        }
        long chain = Hashes.chain(n.appliedChain, e);
        recordCommitted(e.index(), chain, "node " + id + " applying index " + e.index() + " term " + e.term(), event);
        recordCommitInTerm(nodeTerm, e.index());
        n.applied = e.index();
        n.appliedChain = chain;
        n.maxAppliedEver = Math.max(n.maxAppliedEver, n.applied);
    }

    /** Node {@code id} installed a snapshot at {@code index} into its state machine. */
    void snapshotApplied(long id, long nodeTerm, long index, long chain, Object event) {
        NodeRecord n = node(id);
        if (index <= n.applied) {
            throw fail("Applied monotonic", event, "node " + id + " installed a snapshot at " + index
                    + " but had applied up to " + n.applied);
        }
        recordCommitted(index, chain, "node " + id + " installing a snapshot at " + index, event);
        recordCommitInTerm(nodeTerm, index);
        n.applied = index;
        n.appliedChain = chain;
        n.maxAppliedEver = Math.max(n.maxAppliedEver, n.applied);
    }

    /** The applied index of node {@code id}'s current incarnation. */
    long appliedIndex(long id) {
        return node(id).applied;
    }

    /** The applied chain hash of node {@code id}'s current incarnation. */
    long appliedChain(long id) {
        return node(id).appliedChain;
    }

    /** The committed chain hash at {@code index}, or 0 if unknown. */
    long committedChain(long index) {
        return committedChainAt(index);
    }

    Map<Long, Long> leadersByTerm() {
        return leaderByTerm;
    }
}
