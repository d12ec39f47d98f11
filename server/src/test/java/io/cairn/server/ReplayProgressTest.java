package io.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up lines while the log is replayed: a start, one a second at most, an end; none with nothing to do. */
class ReplayProgressTest {

    private long now;
    private final List<String> lines = new ArrayList<>();

    private ReplayProgress progress(long from, long to) {
        return new ReplayProgress(from, to, () -> now, lines::add);
    }

    @Test
    void reportsStartProgressOncePerSecondAndEnd() {
        ReplayProgress replay = progress(100, 1100);
        replay.started();
        assertEquals(List.of("replaying the Raft log: 1,000 entries (index 101 to 1100) committed but not yet applied"
                + " to the state machine"), lines);
        now += TimeUnit.MILLISECONDS.toNanos(400);
        replay.applied(200);
        assertEquals(1, lines.size(), "nothing before a second has passed: " + lines);
        now += TimeUnit.MILLISECONDS.toNanos(600);
        replay.applied(350);
        assertEquals("replaying the Raft log: 25% (index 350 of 1100, 250 entries/s)", lines.get(1));
        now += TimeUnit.MILLISECONDS.toNanos(10);
        replay.applied(400);
        assertEquals(2, lines.size(), "at most one line a second: " + lines);
        now += TimeUnit.MILLISECONDS.toNanos(990);
        replay.applied(600);
        assertEquals("replaying the Raft log: 50% (index 600 of 1100, 250 entries/s)", lines.get(2));
        now += TimeUnit.MILLISECONDS.toNanos(500);
        replay.applied(1100);
        assertEquals("replayed 1,000 entries of the Raft log in 2,500 ms", lines.get(3));
        assertTrue(replay.isDone());
        now += TimeUnit.SECONDS.toNanos(5);
        replay.applied(1200);
        assertEquals(4, lines.size(), "nothing after the end: " + lines);
    }

    @Test
    void saysNothingWhenTheStateMachineIsNotBehind() {
        ReplayProgress replay = progress(500, 500);
        replay.started();
        now += TimeUnit.SECONDS.toNanos(2);
        replay.applied(501);
        assertEquals(List.of(), lines);
        assertTrue(replay.isDone());
    }
}
