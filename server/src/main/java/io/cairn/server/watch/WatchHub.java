package io.cairn.server.watch;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.Experimental;
import io.cairn.api.ResponseHeader;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchStream;
import io.cairn.server.mvcc.MvccStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The watch hub: every watch stream of the node, fed by the apply loop, after etcd's
 * {@code watchableStore} and its {@code v3rpc} watch server.
 *
 * <h2>How events reach watchers</h2>
 * The apply thread hands each applied write's events to {@link #onApplied}, which appends them to
 * one shared in-memory <em>window</em> of recent revisions (bounded by
 * {@link Options#windowEvents()} events and {@link Options#windowBytes()} bytes in total, oldest
 * revisions dropped first) and wakes the
 * streams; it does no per-watcher work and no I/O. Each watcher keeps only its <em>next
 * revision</em>. On the hub's delivery threads, a stream moves each watcher forward: from the
 * window while its next revision is still in it (etcd's <em>synced</em> group), otherwise from
 * storage through {@link MvccStore#forEachEvent} in chunks of whole revisions (the
 * <em>unsynced</em> group), until it is back inside the window. The next revision only grows and
 * each step covers exactly the revisions from it to a bound, so no event is skipped or repeated,
 * whichever source serves it. A watcher whose subscriber stops requesting simply stops advancing:
 * nothing is queued for it beyond its stream's small response buffer, and once the window has
 * moved past it, it catches up from storage (etcd demotes such a watcher to unsynced). Memory is
 * therefore bounded by the window plus, per stream, {@link Options#streamBufferResponses()}
 * responses. While no stream is open the hub keeps no window at all: the floor follows the latest
 * revision, and a stream opened later catches up from storage like any watcher below the floor.
 *
 * <p>Threading: {@link #onApplied}, {@link #onCompacted} and {@link #onRestored} are called by the apply thread, in
 * revision order, and never block on watchers. Everything else is safe from any thread.
 */
@Experimental("server internals; shaped for the node's apply loop")
public final class WatchHub implements AutoCloseable {

    /**
     * How the hub behaves.
     *
     * @param maxEventsPerResponse events per response, at most; a larger single revision goes whole in
     *     one response (or in fragments when the watcher allows them), since a revision is never split
     *     otherwise
     * @param windowEvents events of recent revisions kept in memory for every watcher, in total
     * @param streamBufferResponses event responses a stream prepares ahead of its subscriber's demand;
     *     when they wait unrequested, the stream's watchers stop advancing
     * @param maxPendingResponses responses of every kind a stream may hold for a subscriber that does
     *     not request; past it the stream fails (create, cancel and progress answers are never dropped)
     * @param catchUpChunkEvents events read from storage per step of a watcher catching up (a step
     *     always ends on a revision boundary, so it may read one revision more)
     * @param progressInterval how often watchers that asked for progress notifications get one when
     *     idle (etcd: 10 minutes)
     * @param deliveryThreads threads delivering to streams and reading history
     * @param windowBytes the window's size in bytes of keys and values (its events' and their previous
     *     versions'), at most, whatever {@code windowEvents} allows: with large values the count alone
     *     would let the window outgrow a small heap; watchers below it catch up from storage
     */
    public record Options(int maxEventsPerResponse, int windowEvents, int streamBufferResponses,
                          int maxPendingResponses, int catchUpChunkEvents, Duration progressInterval,
                          int deliveryThreads, long windowBytes) {

        /** @throws IllegalArgumentException if a number or the interval is not positive */
        public Options {
            Objects.requireNonNull(progressInterval, "progressInterval");
            positive(maxEventsPerResponse, "maxEventsPerResponse");
            positive(windowEvents, "windowEvents");
            positive(streamBufferResponses, "streamBufferResponses");
            positive(maxPendingResponses, "maxPendingResponses");
            positive(catchUpChunkEvents, "catchUpChunkEvents");
            positive(deliveryThreads, "deliveryThreads");
            if (windowBytes <= 0) {
                throw new IllegalArgumentException("windowBytes must be positive, got " + windowBytes);
            }
            if (progressInterval.isNegative() || progressInterval.isZero()) {
                throw new IllegalArgumentException("progressInterval must be positive, got " + progressInterval);
            }
        }

        private static void positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }

        /** 1,000 events per response, 65,536 events and 32 MiB in the window, 10-minute progress notifications, 2 threads. */
        public static Options defaults() {
            return new Options(1000, 65_536, 16, 100_000, 1000, Duration.ofMinutes(10), 2, 32L << 20);
        }

        public Options withMaxEventsPerResponse(int value) {
            return new Options(value, windowEvents, streamBufferResponses, maxPendingResponses, catchUpChunkEvents,
                    progressInterval, deliveryThreads, windowBytes);
        }

        public Options withWindowEvents(int value) {
            return new Options(maxEventsPerResponse, value, streamBufferResponses, maxPendingResponses,
                    catchUpChunkEvents, progressInterval, deliveryThreads, windowBytes);
        }

        public Options withStreamBufferResponses(int value) {
            return new Options(maxEventsPerResponse, windowEvents, value, maxPendingResponses, catchUpChunkEvents,
                    progressInterval, deliveryThreads, windowBytes);
        }

        public Options withMaxPendingResponses(int value) {
            return new Options(maxEventsPerResponse, windowEvents, streamBufferResponses, value, catchUpChunkEvents,
                    progressInterval, deliveryThreads, windowBytes);
        }

        public Options withCatchUpChunkEvents(int value) {
            return new Options(maxEventsPerResponse, windowEvents, streamBufferResponses, maxPendingResponses, value,
                    progressInterval, deliveryThreads, windowBytes);
        }

        public Options withProgressInterval(Duration value) {
            return new Options(maxEventsPerResponse, windowEvents, streamBufferResponses, maxPendingResponses,
                    catchUpChunkEvents, value, deliveryThreads, windowBytes);
        }

        public Options withWindowBytes(long value) {
            return new Options(maxEventsPerResponse, windowEvents, streamBufferResponses, maxPendingResponses,
                    catchUpChunkEvents, progressInterval, deliveryThreads, value);
        }

        public Options withDeliveryThreads(int value) {
            return new Options(maxEventsPerResponse, windowEvents, streamBufferResponses, maxPendingResponses,
                    catchUpChunkEvents, progressInterval, value, windowBytes);
        }
    }

    /** The events of consecutive revisions from one source, and the revision they cover up to. */
    record Slice(List<Map.Entry<Long, List<Event>>> revisions, long upTo) {
    }

    final MvccStore store;
    final Options options;
    final ScheduledThreadPoolExecutor executor;
    private final Set<HubStream> streams = ConcurrentHashMap.newKeySet();

    private final Object windowLock = new Object();
    // Guarded by windowLock. Invariant: every revision in [windowFloor, latest] that had events is a
    // key of window; window holds nothing below windowFloor; windowEventCount is its event count.
    private final TreeMap<Long, List<Event>> window = new TreeMap<>();
    private long windowFloor;
    private int windowEventCount;
    private long windowByteCount;
    /** The newest revision handed to {@link #onApplied} (the store's revision at start). Written under windowLock. */
    private volatile long latest;
    private volatile boolean closed;
    private final LongAdder catchUpReads = new LongAdder();

    /**
     * A hub for {@code store}, starting at its current revision. Starts the delivery threads (daemons)
     * and the progress ticker; {@link #close()} stops them.
     */
    public WatchHub(MvccStore store, Options options) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        this.latest = store.currentRevision();
        this.windowFloor = latest + 1;
        AtomicInteger threadCount = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, "cairn-watch-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ScheduledThreadPoolExecutor(options.deliveryThreads(), threads);
        executor.setRemoveOnCancelPolicy(true);
        long interval = options.progressInterval().toNanos();
        executor.scheduleAtFixedRate(this::tickProgress, interval, interval, TimeUnit.NANOSECONDS);
    }

    /**
     * Called by the apply thread after each applied write that changed keys, in revision order
     * ({@code events} as {@link io.cairn.server.mvcc.WriteResult#events()}: all at {@code revision},
     * with their previous versions). Never blocks on watchers and does no I/O; an empty list is
     * ignored, and so is everything after {@link #close()}. While no stream is open only the list's
     * size is read, so a write nobody watches has its events never built.
     *
     * @throws IllegalArgumentException if {@code revision} is not above the previous one
     * @throws NullPointerException if {@code events} is null, or holds null while a stream is open
     */
    public void onApplied(long revision, List<Event> events) {
        if (events.isEmpty() || closed) {
            return;
        }
        if (streams.isEmpty()) {
            // Nobody to deliver to: keep no window (it would hold windowEvents() events, tens of MB
            // of values, under a write load with no watcher). A stream opened later reads anything
            // below the floor from storage, which already holds this revision.
            // Nor are the events read: the store builds them only when read (WriteResult#events).
            synchronized (windowLock) {
                checkIncreasing(revision);
                window.clear();
                windowEventCount = 0;
                windowByteCount = 0;
                windowFloor = revision + 1;
                latest = revision;
            }
            return;
        }
        List<Event> copy = List.copyOf(events);
        synchronized (windowLock) {
            checkIncreasing(revision);
            window.put(revision, copy);
            windowEventCount += copy.size();
            windowByteCount += bytesOf(copy);
            latest = revision;
            if (windowEventCount > options.windowEvents() || windowByteCount > options.windowBytes()) {
                while ((windowEventCount > options.windowEvents() || windowByteCount > options.windowBytes())
                        && !window.isEmpty()) {
                    List<Event> dropped = window.pollFirstEntry().getValue();
                    windowEventCount -= dropped.size();
                    windowByteCount -= bytesOf(dropped);
                }
                windowFloor = window.isEmpty() ? revision + 1 : window.firstKey();
            }
        }
        signalAll();
    }

    /** The keys and values an event list holds, its own and its previous versions' (windowBytes). */
    private static long bytesOf(List<Event> events) {
        long bytes = 0;
        for (Event event : events) {
            bytes += event.kv().key().size() + event.kv().value().size();
            if (event.prevKv().isPresent()) {
                bytes += event.prevKv().get().key().size() + event.prevKv().get().value().size();
            }
        }
        return bytes;
    }

    // under windowLock
    private void checkIncreasing(long revision) {
        if (revision <= latest) {
            throw new IllegalArgumentException("watch hub: revision " + revision
                    + " applied after revision " + latest + "; revisions must increase");
        }
    }

    /**
     * Called by the apply thread after the store's contents were replaced by a snapshot from the
     * leader, the store now at {@code revision}. The window is dropped: it held revisions of the
     * old contents and lacks the ones the snapshot brought, so had it stayed, a watcher inside it
     * would jump from the old revisions straight to the next applied one. Every watcher behind
     * {@code revision} now catches up from storage, which holds the snapshot's whole history (etcd's
     * restore likewise moves every synced watcher to the unsynced group); one whose next revision
     * was compacted by the snapshot gets etcd's canceled response with the compact revision.
     */
    public void onRestored(long revision) {
        synchronized (windowLock) {
            window.clear();
            windowEventCount = 0;
            windowByteCount = 0;
            windowFloor = revision + 1;
            latest = revision;
        }
        signalAll();
    }

    /**
     * Called by the apply thread after a compaction to {@code compactRevision} was applied. Watchers
     * that still need revisions below it from storage are told and canceled (the store's own compact
     * revision is the truth; this only wakes them).
     */
    public void onCompacted(long compactRevision) {
        signalAll();
    }

    /**
     * A new bidirectional watch stream, as one call of etcd's Watch RPC: the object behind
     * {@code Cairn.watch()}. {@code headers} supplies the header (cluster id, member id, Raft term)
     * stamped on every response; the hub replaces its revision with the one the response speaks for.
     * It is called on a delivery thread and must not block.
     *
     * @throws IllegalStateException if the hub is closed
     */
    public WatchStream openStream(Supplier<ResponseHeader> headers) {
        return openStream(headers, request -> null);
    }

    /**
     * A new watch stream as {@link #openStream(Supplier)}, whose watchers are admitted by
     * {@code admission} when their create request is handled: it returns null to admit, or the
     * cancel reason of a created-and-canceled answer (etcd's answer to a watch the caller may not
     * read). It runs on a delivery thread and must not block.
     *
     * @throws IllegalStateException if the hub is closed
     */
    public WatchStream openStream(Supplier<ResponseHeader> headers,
            java.util.function.Function<io.cairn.api.watch.WatchCreateRequest, String> admission) {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(admission, "admission");
        if (closed) {
            throw new IllegalStateException("the watch hub is closed");
        }
        HubStream stream = new HubStream(this, headers, admission);
        streams.add(stream);
        if (closed) {
            streams.remove(stream);
            stream.fail(new CairnException(ErrorCode.STOPPED));
        }
        return stream;
    }

    /** The bytes of keys and values held in the in-memory window, at most {@link Options#windowBytes()} (for tests). */
    public long windowByteCount() {
        synchronized (windowLock) {
            return windowByteCount;
        }
    }

    /** The number of events held in the in-memory window, at most {@link Options#windowEvents()} (for tests and metrics). */
    public int windowEventCount() {
        synchronized (windowLock) {
            return windowEventCount;
        }
    }

    /**
     * How many catch-up steps read history from storage so far: watchers that started in the past or
     * fell behind the window (etcd's unsynced watchers). For tests and metrics.
     */
    public long catchUpReads() {
        return catchUpReads.sum();
    }

    void countCatchUpRead() {
        catchUpReads.increment();
    }

    /** The number of watchers in every open stream (etcd's {@code etcd_debugging_mvcc_watcher_total}). */
    public long watcherCount() {
        return watcherCount.get();
    }

    /** Updated by the streams as watchers join and leave. */
    final java.util.concurrent.atomic.AtomicLong watcherCount = new java.util.concurrent.atomic.AtomicLong();

    /** The number of open streams (for tests and metrics). */
    public int streamCount() {
        return streams.size();
    }

    /**
     * Ends every stream with {@link ErrorCode#STOPPED} and stops the delivery threads, waiting up to
     * a second for them to finish. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (HubStream stream : streams) {
            stream.fail(new CairnException(ErrorCode.STOPPED));
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- for the streams -----------------------------------------------------------------

    long latestRevision() {
        return latest;
    }

    void removeStream(HubStream stream) {
        streams.remove(stream);
    }

    boolean submit(Runnable task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException shutDown) {
            return false;
        }
    }

    /**
     * The window's revisions from {@code next}, whole revisions up to about {@code maxEvents} events;
     * null if {@code next} is below the window (read storage instead). An empty slice up to the latest
     * revision when {@code next} is above it.
     */
    Slice fromWindow(long next, int maxEvents) {
        synchronized (windowLock) {
            long newest = latest;
            if (next > newest) {
                return new Slice(List.of(), newest);
            }
            if (next < windowFloor) {
                return null;
            }
            List<Map.Entry<Long, List<Event>>> taken = new ArrayList<>();
            int count = 0;
            long upTo = newest;
            for (Map.Entry<Long, List<Event>> entry : window.tailMap(next, true).entrySet()) {
                if (count > 0 && count + entry.getValue().size() > maxEvents) {
                    upTo = entry.getKey() - 1;
                    break;
                }
                // copy: TreeMap reuses its nodes when others are removed
                taken.add(Map.entry(entry.getKey(), entry.getValue()));
                count += entry.getValue().size();
            }
            return new Slice(taken, upTo);
        }
    }

    private void signalAll() {
        for (HubStream stream : streams) {
            stream.signal();
        }
    }

    private void tickProgress() {
        for (HubStream stream : streams) {
            stream.progressTick();
        }
    }
}
