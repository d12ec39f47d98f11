package io.cairn.server;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Start-up progress of replaying the Raft log into a state machine that is behind it (after a
 * crash, or a member restarting with entries its state machine never applied): a line when the
 * replay starts, at most one a second while it runs (index, percentage, entries a second), and one
 * when the state machine has caught up with the commit index known at start.
 *
 * <p>Threading: confined to the node's loop thread. The clock and the sink are injected (tests).
 */
final class ReplayProgress {

    static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long from;
    private final long to;
    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    private long startNanos;
    private long nextReportNanos;
    private boolean done;

    /**
     * @param from the applied index at start (the state machine's)
     * @param to the commit index at start (the log's); nothing is reported when it is not ahead of {@code from}
     */
    ReplayProgress(long from, long to, LongSupplier nanoClock, Consumer<String> sink) {
        this.from = from;
        this.to = to;
        this.nanoClock = nanoClock;
        this.sink = sink;
        this.done = to <= from;
    }

    /** Whether there is nothing (more) to report. */
    boolean isDone() {
        return done;
    }

    /** Called once the loop runs, before the first entry is applied. */
    void started() {
        if (done) {
            return;
        }
        startNanos = nanoClock.getAsLong();
        nextReportNanos = startNanos + REPORT_EVERY_NANOS;
        sink.accept(String.format(Locale.ROOT, "replaying the Raft log: %,d entries (index %d to %d) committed but not"
                + " yet applied to the state machine", to - from, from + 1, to));
    }

    /** Called after each Ready's committed entries were applied, with the applied index. */
    void applied(long index) {
        if (done) {
            return;
        }
        long now = nanoClock.getAsLong();
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(now - startNanos);
        if (index >= to) {
            done = true;
            sink.accept(String.format(Locale.ROOT, "replayed %,d entries of the Raft log in %,d ms", to - from,
                    elapsedMillis));
            return;
        }
        if (now - nextReportNanos >= 0) {
            nextReportNanos = now + REPORT_EVERY_NANOS;
            long replayed = Math.max(0, index - from);
            long perSecond = elapsedMillis == 0 ? 0 : replayed * 1000 / elapsedMillis;
            sink.accept(String.format(Locale.ROOT, "replaying the Raft log: %d%% (index %d of %d, %,d entries/s)",
                    replayed * 100 / (to - from), index, to, perSecond));
        }
    }
}
