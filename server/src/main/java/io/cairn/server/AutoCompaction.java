package io.cairn.server;

import io.cairn.api.Experimental;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's auto-compaction settings ({@code --auto-compaction-mode}, {@code --auto-compaction-retention})
 * and their policy. The leader alone compacts, through the log like a client's Compact.
 *
 * <ul>
 * <li>{@code periodic}: keep the history of the last {@code period}. The revision is sampled every
 *     {@code min(period, 1h) / 10}; every {@code min(period, 1h)} since the last compaction the store
 *     is compacted to the revision sampled {@code period} ago (etcd 3.4's periodic compactor).
 * <li>{@code revision}: keep the last {@code revisions} revisions: every check interval (etcd: 5
 *     minutes, fixed) the store is compacted to the current revision less {@code revisions}, when
 *     that moved since the last compaction.
 * </ul>
 *
 * @param mode periodic or revision
 * @param period periodic: the history to keep; zero: off
 * @param revisions revision: the revisions to keep; zero: off
 * @param revisionCheckInterval revision: how often to check (etcd's 5 minutes; tests shorten it)
 */
@Experimental("new with issue 8")
public record AutoCompaction(Mode mode, Duration period, long revisions, Duration revisionCheckInterval) {

    /** etcd's {@code --auto-compaction-mode}. */
    public enum Mode { PERIODIC, REVISION }

    /** etcd's check interval of the revision mode. */
    public static final Duration DEFAULT_REVISION_CHECK_INTERVAL = Duration.ofMinutes(5);

    /** Off (etcd's default retention "0"). */
    public static final AutoCompaction OFF = new AutoCompaction(Mode.PERIODIC, Duration.ZERO, 0, DEFAULT_REVISION_CHECK_INTERVAL);

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    public AutoCompaction {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(revisionCheckInterval, "revisionCheckInterval");
        if (period.isNegative() || revisions < 0 || revisionCheckInterval.isNegative() || revisionCheckInterval.isZero()) {
            throw new IllegalArgumentException("auto-compaction retention and interval must not be negative");
        }
    }

    /** Whether the leader compacts at all. */
    public boolean enabled() {
        return mode == Mode.PERIODIC ? !period.isZero() : revisions > 0;
    }

    /**
     * Reads etcd's flag values. Periodic retention: a Go duration ({@code 30m}, {@code 1h30m},
     * {@code 90s}) or a plain number of hours ({@code 1}, {@code 0.5}); revision retention: a whole
     * number of revisions. {@code "0"} turns it off in either mode.
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static AutoCompaction parse(String mode, String retention, Duration revisionCheckInterval) {
        String text = retention.trim();
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "periodic" -> {
                return new AutoCompaction(Mode.PERIODIC, periodOf(text), 0, revisionCheckInterval);
            }
            case "revision" -> {
                try {
                    long revisions = Long.parseLong(text);
                    if (revisions >= 0) {
                        return new AutoCompaction(Mode.REVISION, Duration.ZERO, revisions, revisionCheckInterval);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException("revision retention must be a whole number of revisions (>= 0), got '"
                        + retention + "'");
            }
            default -> throw new IllegalArgumentException("mode must be periodic or revision, got '" + mode + "'");
        }
    }

    private static Duration periodOf(String text) {
        try {
            double hours = Double.parseDouble(text);
            if (hours >= 0 && !Double.isInfinite(hours)) {
                return Duration.ofNanos((long) (hours * 3_600_000_000_000L));
            }
        } catch (NumberFormatException notANumber) {
            // a Go duration then
        }
        return goDuration(text);
    }

    /**
     * A Go duration such as {@code 30s}, {@code 5m} or {@code 1h30m} (units ns, us, ms, s, m, h).
     *
     * @throws IllegalArgumentException if {@code text} is not one
     */
    public static Duration goDuration(String text) {
        Matcher m = GO_DURATION.matcher(text);
        long nanos = 0;
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            double amount = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (amount * unit);
            at = m.end();
        }
        if (text.isEmpty() || at != text.length()) {
            throw new IllegalArgumentException("periodic retention must be a duration such as 30m, 1h or 90s, or a number"
                    + " of hours, got '" + text + "'");
        }
        return Duration.ofNanos(nanos);
    }

    /** How often {@link Policy#tick} is to be called. */
    Duration tickInterval() {
        if (mode == Mode.REVISION) {
            return revisionCheckInterval;
        }
        return Duration.ofNanos(Math.max(1, compactInterval().toNanos() / 10));
    }

    private Duration compactInterval() {
        return period.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : period;
    }

    Policy policy(long nowNanos) {
        return new Policy(nowNanos);
    }

    /**
     * The decisions, with time passed in (pure: no clock, no threads). Not thread-safe: one caller,
     * the compactor's thread.
     */
    final class Policy {
        private final ArrayDeque<Long> samples = new ArrayDeque<>();
        private long lastSuccessNanos;
        private long lastCompacted;

        private Policy(long nowNanos) {
            this.lastSuccessNanos = nowNanos;
        }

        /**
         * Called every {@link #tickInterval()} with the current revision; answers the revision to
         * compact to now, if any ({@link #compacted} must follow a successful compaction).
         */
        OptionalLong tick(long nowNanos, long currentRevision, long compactRevision) {
            if (!enabled()) {
                return OptionalLong.empty();
            }
            if (mode == Mode.REVISION) {
                long target = currentRevision - revisions;
                if (target <= 0 || target == lastCompacted || target <= compactRevision) {
                    return OptionalLong.empty();
                }
                return OptionalLong.of(target);
            }
            samples.addLast(currentRevision);
            long keep = Math.max(1, period.toNanos() / tickInterval().toNanos());
            while (samples.size() > keep) {
                samples.removeFirst();
            }
            if (nowNanos - lastSuccessNanos < compactInterval().toNanos()) {
                return OptionalLong.empty();
            }
            long target = samples.peekFirst();
            if (target <= compactRevision || target <= 1) {
                lastSuccessNanos = nowNanos; // nothing to compact: wait a whole interval again, as after a compaction
                return OptionalLong.empty();
            }
            return OptionalLong.of(target);
        }

        /** A compaction to {@code revision} succeeded (or was found done already). */
        void compacted(long nowNanos, long revision) {
            lastSuccessNanos = nowNanos;
            lastCompacted = revision;
        }
    }
}
