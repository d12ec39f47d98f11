package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests of {@link Progress} transitions and {@link RaftLog} across storage and the unstable tail. */
class ProgressAndLogTest {

    private static Progress progress(ProgressState state, long match, long next) {
        Progress p = new Progress(match, next, new Inflights(4, 0), false);
        p.state = state;
        return p;
    }

    record DecrCase(ProgressState state, long match, long next, long rejected, long hint, boolean changed, long wantNext) {}

    static List<DecrCase> decrCases() {
        return List.of(
                // replicate: a rejection at or below match is stale
                new DecrCase(ProgressState.REPLICATE, 5, 10, 5, 5, false, 10),
                new DecrCase(ProgressState.REPLICATE, 5, 10, 4, 4, false, 10),
                // replicate: a real rejection restarts from match + 1
                new DecrCase(ProgressState.REPLICATE, 5, 10, 9, 9, true, 6),
                // probe: only the rejection of the probe in flight (next - 1) counts
                new DecrCase(ProgressState.PROBE, 0, 10, 5, 5, false, 10),
                new DecrCase(ProgressState.PROBE, 0, 10, 9, 9, true, 9),
                // probe: the hint jumps back past a whole diverged range
                new DecrCase(ProgressState.PROBE, 0, 10, 9, 2, true, 3),
                // probe: never below match + 1
                new DecrCase(ProgressState.PROBE, 4, 10, 9, 0, true, 5));
    }

    @ParameterizedTest
    @MethodSource("decrCases")
    void maybeDecrTo(DecrCase c) {
        Progress p = progress(c.state(), c.match(), c.next());
        p.probeSent = true;
        assertEquals(c.changed(), p.maybeDecrTo(c.rejected(), c.hint()), c.toString());
        assertEquals(c.wantNext(), p.next, c.toString());
        assertTrue(p.match < p.next, "invariant match < next");
        if (c.changed() && c.state() == ProgressState.PROBE) {
            assertFalse(p.probeSent, "a rejection answers the probe");
        }
    }

    @Test
    void transitionsKeepInvariants() {
        Progress p = progress(ProgressState.PROBE, 3, 4);
        assertFalse(p.isPaused());
        p.probeSent = true;
        assertTrue(p.isPaused(), "probe: one append at a time");
        assertTrue(p.maybeUpdate(6));
        assertFalse(p.probeSent, "an acknowledgement unpauses");
        p.becomeReplicate();
        assertEquals(7, p.next);
        for (long i = 8; i <= 11; i++) {
            p.inflights.add(i, 10);
        }
        assertTrue(p.isPaused(), "replicate: paused when the window is full");
        p.becomeSnapshot(20);
        assertTrue(p.isPaused());
        assertEquals(0, p.inflights.count(), "inflights reset on state change");
        p.becomeProbe();
        assertEquals(21, p.next, "after a snapshot, probing resumes after it");
        assertFalse(p.maybeUpdate(2), "an old acknowledgement does not move match back");
        assertEquals(6, p.match);
    }

    private static List<Entry> ents(long term, long from, int n) {
        List<Entry> es = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            es.add(Entry.normal(term, from + i, ("e" + (from + i)).getBytes(StandardCharsets.UTF_8)));
        }
        return es;
    }

    @Test
    void logSpansStorageAndUnstable() {
        MemoryRaftStorage s = MemoryRaftStorage.withVoters(1);
        s.append(ents(1, 1, 5));
        RaftLog log = new RaftLog(s, Long.MAX_VALUE);
        log.append(ents(2, 6, 5));
        assertEquals(10, log.lastIndex());
        assertEquals(1, log.term(5));
        assertEquals(2, log.term(6));
        List<Entry> all = log.slice(1, 11, Long.MAX_VALUE);
        assertEquals(10, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).index());
        }
        long each = all.get(0).sizeBytes();
        assertEquals(3, log.slice(4, 11, 3 * each).size(), "size limit across the boundary");
        assertEquals(1, log.slice(4, 11, 1).size(), "at least one entry");
        // Conflict: a leader of term 3 overwrites from 8.
        assertEquals(10, log.maybeAppend(7, 2, 0, ents(3, 8, 3)));
        assertEquals(3, log.term(8));
        assertEquals(2, log.term(7));
        assertEquals(-1, log.maybeAppend(7, 3, 0, List.of()), "mismatched prev term");
        // Hints: the largest index <= 10 with term <= 2 is 7; with term <= 1 it is 5.
        assertArrayEquals(new long[] {7, 2}, log.findConflictByTerm(10, 2));
        assertArrayEquals(new long[] {5, 1}, log.findConflictByTerm(10, 1));
        assertArrayEquals(new long[] {0, 0}, log.findConflictByTerm(10, 0));
        // Stabilising hands entries over to storage.
        s.append(log.unstableEntries());
        log.stableTo(10, 3);
        assertTrue(log.unstableEntries().isEmpty());
        assertEquals(10, log.lastIndex());
    }

    @Test
    void commitRules() {
        MemoryRaftStorage s = MemoryRaftStorage.withVoters(1);
        s.append(ents(1, 1, 3));
        RaftLog log = new RaftLog(s, Long.MAX_VALUE);
        log.append(ents(2, 4, 2));
        assertFalse(log.maybeCommit(3, 2), "§5.4.2: entry 3 is of term 1, not the leader's term 2");
        assertTrue(log.maybeCommit(4, 2));
        assertEquals(4, log.committed);
        assertThrows(IllegalStateException.class, () -> log.commitTo(9), "commit beyond the log");
        assertThrows(IllegalStateException.class, () -> log.append(ents(3, 2, 1)), "overwriting committed entries");
        log.appliedTo(4);
        assertFalse(log.hasNextCommittedEntries());
    }

    /** The log agrees with a plain list model under random appends with truncation. */
    @Test
    void randomAppendsMatchListModel() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int run = 0; run < 200; run++) {
            MemoryRaftStorage s = MemoryRaftStorage.withVoters(1);
            RaftLog log = new RaftLog(s, Long.MAX_VALUE);
            List<Entry> model = new ArrayList<>();
            long term = 1;
            for (int op = 0; op < 30; op++) {
                if (rnd.nextInt(3) == 0 && !log.unstableEntries().isEmpty()) {
                    List<Entry> u = log.unstableEntries();
                    s.append(u);
                    Entry last = u.get(u.size() - 1);
                    log.stableTo(last.index(), last.term());
                    continue;
                }
                long from = 1 + rnd.nextInt((int) log.lastIndex() + 1);
                term++;
                List<Entry> add = ents(term, from, 1 + rnd.nextInt(4));
                log.append(add);
                while (model.size() >= from) {
                    model.remove(model.size() - 1);
                }
                model.addAll(add);
                assertEquals(model, log.slice(1, log.lastIndex() + 1, Long.MAX_VALUE), "run " + run + " op " + op);
            }
        }
    }
}
