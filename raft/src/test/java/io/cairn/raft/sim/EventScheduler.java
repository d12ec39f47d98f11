package io.cairn.raft.sim;

import java.util.PriorityQueue;

/**
 * The simulated clock and the queue of what happens next, ordered by (time, sequence number): two
 * events at the same time run in the order they were scheduled, so a run depends on its seed only.
 */
final class EventScheduler {

    private record Event(long time, long seq, String kind, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private long executed;
    private String currentKind = "start";

    /** The simulated time in milliseconds. */
    long now() {
        return now;
    }

    /** Events run so far. */
    long executed() {
        return executed;
    }

    /** The kind of the event running now (for failure messages). */
    String currentKind() {
        return currentKind;
    }

    /** Runs {@code action} {@code delayMs} from now (0: after every event already due now). */
    void schedule(long delayMs, String kind, Runnable action) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("negative delay " + delayMs);
        }
        queue.add(new Event(now + delayMs, seq++, kind, action));
    }

    /** Runs the next event if it is due at or before {@code until}; returns false if there is none. */
    boolean runNext(long until) {
        Event e = queue.peek();
        if (e == null || e.time > until) {
            return false;
        }
        queue.poll();
        now = e.time;
        currentKind = e.kind;
        executed++;
        e.action.run();
        return true;
    }
}
