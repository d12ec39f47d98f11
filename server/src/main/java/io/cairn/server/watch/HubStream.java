package io.cairn.server.watch;

import io.cairn.api.Bytes;
import io.cairn.api.CairnException;
import io.cairn.api.CompactedException;
import io.cairn.api.KeyRange;
import io.cairn.api.ResponseHeader;
import io.cairn.api.StatusCode;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One watch stream of a {@link WatchHub}. Callers only enqueue commands and signal; all state
 * below "drain state" is touched by one delivery task at a time (the {@code wip} counter serialises
 * them), which is also the only caller of the subscriber, so its signals are serial.
 */
final class HubStream implements WatchStream {

    // etcd's messages (server/storage/mvcc/watcher.go), sent as cancel_reason
    static final String EMPTY_RANGE = "mvcc: watcher range is empty";
    static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";

    /** Null to admit a watcher, or the reason it is refused. */
    private final java.util.function.Function<WatchCreateRequest, String> admission;

    private sealed interface Command permits Create, Cancel, Progress {
    }

    private record Create(WatchCreateRequest request) implements Command {
    }

    private record Cancel(long watchId) implements Command {
    }

    private record Progress() implements Command {
    }

    /** One watcher; touched only by the drain task. */
    private static final class Watcher {
        final long id;
        final KeyRange range;
        final boolean prevKv;
        final boolean noPut;
        final boolean noDelete;
        final boolean progressNotify;
        final boolean fragment;
        /** The first revision not yet delivered (into the outbox); only grows. */
        long next;
        /** Whether events went out since the last progress tick (etcd elides the next notification then). */
        boolean sentSinceTick;

        Watcher(long id, WatchCreateRequest request, long next) {
            this.id = id;
            this.range = request.keyRange();
            this.prevKv = request.prevKv();
            this.noPut = request.filters().contains(WatchCreateRequest.Filter.NOPUT);
            this.noDelete = request.filters().contains(WatchCreateRequest.Filter.NODELETE);
            this.progressNotify = request.progressNotify();
            this.fragment = request.fragment();
            this.next = next;
        }

        /** The event as this watcher sends it, or null if it does not want it. */
        Event select(Event event) {
            if (event.type() == Event.Type.PUT ? noPut : noDelete) {
                return null;
            }
            if (!range.contains(event.kv().key())) {
                return null;
            }
            return prevKv || event.prevKv().isEmpty() ? event : new Event(event.type(), event.kv(), Optional.empty());
        }
    }

    private final WatchHub hub;
    private final Supplier<ResponseHeader> headers;
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicReference<Flow.Subscriber<? super WatchResponse>> subscriber = new AtomicReference<>();
    private final AtomicLong demand = new AtomicLong();
    private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile boolean cancelled;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean tick;

    // ---- drain state (one delivery task at a time) ----
    private final ArrayDeque<WatchResponse> outbox = new ArrayDeque<>();
    private final Map<Long, Watcher> watchers = new HashMap<>();
    private final List<Watcher> order = new ArrayList<>();
    private int cursor;
    private long nextAutoId; // etcd starts at 0: AutoWatchID (0) in a request means "choose"
    private boolean progressRequested;
    private boolean subscribeSignalled;
    private boolean finished;

    private final Flow.Subscription subscription = new Flow.Subscription() {
        @Override
        public void request(long n) {
            if (n <= 0) {
                // Reactive Streams rule 3.9
                failure.compareAndSet(null, new IllegalArgumentException(
                        "watch stream: request(" + n + ") must ask for a positive number of responses"));
            } else {
                demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
            }
            signal();
        }

        @Override
        public void cancel() {
            cancelled = true;
            signal();
        }
    };

    HubStream(WatchHub hub, Supplier<ResponseHeader> headers,
            java.util.function.Function<WatchCreateRequest, String> admission) {
        this.hub = hub;
        this.headers = headers;
        this.admission = admission;
    }

    // ---- WatchStream ---------------------------------------------------------------------

    @Override
    public void subscribe(Flow.Subscriber<? super WatchResponse> candidate) {
        Objects.requireNonNull(candidate, "subscriber");
        if (!subscriber.compareAndSet(null, candidate)) {
            candidate.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            candidate.onError(new IllegalStateException("this watch stream already has a subscriber"));
            return;
        }
        signal();
    }

    @Override
    public void create(WatchCreateRequest request) {
        Objects.requireNonNull(request, "request");
        enqueue(new Create(request));
    }

    @Override
    public void cancel(long watchId) {
        enqueue(new Cancel(watchId));
    }

    @Override
    public void requestProgress() {
        enqueue(new Progress());
    }

    @Override
    public void close() {
        closed = true;
        signal();
    }

    private void enqueue(Command command) {
        if (closed || cancelled || failure.get() != null) {
            throw new IllegalStateException("the watch stream is closed");
        }
        commands.add(command);
        signal();
    }

    // ---- from the hub ----------------------------------------------------------------------

    void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
        signal();
    }

    void progressTick() {
        tick = true;
        signal();
    }

    /** Wakes the drain task; cheap and non-blocking (called by the apply thread too). */
    void signal() {
        if (wip.getAndIncrement() == 0) {
            hub.submit(this::drain);
        }
    }

    // ---- the drain task ----------------------------------------------------------------------

    private void drain() {
        int missed = wip.get();
        int rounds = 0;
        while (true) {
            boolean more;
            try {
                more = drainOnce();
            } catch (RuntimeException | Error e) {
                // a bug or a storage failure: end this stream, not the delivery thread
                failure.compareAndSet(null, e);
                more = true;
            }
            if (more) {
                if (++rounds >= 16) {
                    // let other streams run; wip stays positive, so nobody else submits meanwhile.
                    // If the hub is shutting down the executor refuses: finish here instead.
                    if (hub.submit(this::drain)) {
                        return;
                    }
                    rounds = 0;
                }
                continue;
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** One round of work; true if there may be more to do at once. */
    private boolean drainOnce() {
        if (finished) {
            return false;
        }
        Flow.Subscriber<? super WatchResponse> target = subscriber.get();
        if (target != null && !subscribeSignalled) {
            subscribeSignalled = true;
            target.onSubscribe(subscription);
        }
        Throwable cause = failure.get();
        if (cancelled || closed || cause != null) {
            hub.watcherCount.addAndGet(-watchers.size());
            watchers.clear();
            order.clear();
            outbox.clear();
            commands.clear();
            hub.removeStream(this);
            if (cancelled) {
                finished = true;
            } else if (target != null) {
                finished = true;
                if (cause != null) {
                    target.onError(cause);
                } else {
                    target.onComplete();
                }
            }
            return false;
        }
        Command command;
        while ((command = commands.poll()) != null) {
            switch (command) {
                case Create create -> handleCreate(create.request());
                case Cancel cancel -> handleCancel(cancel.watchId());
                case Progress ignored -> progressRequested = true;
            }
        }
        emit(target);
        boolean progressed = advanceWatchers();
        answerProgress();
        emit(target);
        if (outbox.size() > hub.options.maxPendingResponses()) {
            failure.compareAndSet(null, new CairnException(StatusCode.RESOURCE_EXHAUSTED,
                    "watch stream: " + outbox.size() + " responses wait for a subscriber that requests none"));
            return true;
        }
        return (progressed && outbox.size() < hub.options.streamBufferResponses()) || failure.get() != null
                || cancelled;
    }

    private void emit(Flow.Subscriber<? super WatchResponse> target) {
        if (target == null || !subscribeSignalled) {
            return;
        }
        while (!outbox.isEmpty() && demand.get() > 0 && !cancelled) {
            WatchResponse response = outbox.poll();
            demand.getAndUpdate(d -> d == Long.MAX_VALUE ? d : d - 1);
            try {
                target.onNext(response);
            } catch (RuntimeException e) {
                // Reactive Streams rule 2.13: a throwing subscriber is treated as cancelled
                cancelled = true;
            }
        }
    }

    private void handleCreate(WatchCreateRequest request) {
        long newest = hub.latestRevision();
        String refused = admission.apply(request);
        if (refused != null) {
            // etcd: created and canceled at once, with the reason (permission denied)
            outbox.add(response(newest, request.watchId(), true, true, 0, refused, false, List.of()));
            return;
        }
        Bytes end = request.rangeEnd();
        if (!end.isEmpty() && !end.equals(Bytes.NUL) && request.key().compareTo(end) >= 0) {
            outbox.add(response(newest, -1, true, true, 0, EMPTY_RANGE, false, List.of()));
            return;
        }
        long id = request.watchId();
        if (id == 0) {
            while (watchers.containsKey(nextAutoId)) {
                nextAutoId++;
            }
            id = nextAutoId++;
        } else if (watchers.containsKey(id)) {
            outbox.add(response(newest, -1, true, true, 0, DUPLICATE_ID, false, List.of()));
            return;
        }
        long start = request.startRevision() == 0 ? newest + 1 : request.startRevision();
        Watcher watcher = new Watcher(id, request, start);
        outbox.add(response(newest, id, true, false, 0, "", false, List.of()));
        long compact = hub.store.compactRevision();
        if (start < compact) {
            // etcd: created, then canceled with the compact revision (the watcher never joins)
            outbox.add(response(newest, id, false, true, compact, "", false, List.of()));
            return;
        }
        watchers.put(id, watcher);
        hub.watcherCount.incrementAndGet();
        order.add(watcher);
    }

    private void handleCancel(long id) {
        Watcher watcher = watchers.remove(id);
        if (watcher == null) {
            return; // etcd answers nothing for an unknown id
        }
        hub.watcherCount.decrementAndGet();
        order.remove(watcher);
        outbox.add(response(hub.latestRevision(), id, false, true, 0, "", false, List.of()));
    }

    /** Moves each watcher forward once, round robin, while the buffer has room; true if any moved. */
    private boolean advanceWatchers() {
        boolean progressed = false;
        int count = order.size();
        for (int i = 0; i < count && outbox.size() < hub.options.streamBufferResponses(); i++) {
            if (order.isEmpty()) {
                break;
            }
            if (cursor >= order.size()) {
                cursor = 0;
            }
            Watcher watcher = order.get(cursor);
            if (advance(watcher)) {
                progressed = true;
            }
            if (watchers.get(watcher.id) == watcher) {
                cursor++;
            } else {
                order.remove(cursor); // compacted away; the next watcher moved into this slot
            }
        }
        return progressed;
    }

    private boolean advance(Watcher watcher) {
        long newest = hub.latestRevision();
        if (watcher.next > newest) {
            return false;
        }
        WatchHub.Slice slice = hub.fromWindow(watcher.next, hub.options.catchUpChunkEvents());
        if (slice == null) {
            // behind the window: unsynced, catch up from storage
            long compact = hub.store.compactRevision();
            try {
                if (watcher.next < compact) {
                    throw new CompactedException(compact);
                }
                hub.countCatchUpRead();
                slice = fromStorage(watcher, newest);
            } catch (CompactedException e) {
                long revision = e.compactRevision().orElse(Math.max(compact, 0));
                watchers.remove(watcher.id);
                hub.watcherCount.decrementAndGet();
                outbox.add(response(hub.latestRevision(), watcher.id, false, true, revision, "", false, List.of()));
                return true;
            }
        }
        deliver(watcher, slice);
        watcher.next = slice.upTo() + 1;
        return true;
    }

    /** Whole revisions from {@code watcher.next}, about one chunk of events, only the watcher's. */
    private WatchHub.Slice fromStorage(Watcher watcher, long upTo) {
        int chunk = hub.options.catchUpChunkEvents();
        List<Map.Entry<Long, List<Event>>> revisions = new ArrayList<>();
        long[] current = {-1};
        long[] complete = {watcher.next - 1};
        int[] read = {0};
        boolean[] stopped = {false};
        List<List<Event>> currentEvents = new ArrayList<>(List.of(new ArrayList<>()));
        hub.store.forEachEvent(watcher.next, upTo, watcher.prevKv, event -> {
            long revision = event.kv().modRevision();
            if (revision != current[0]) {
                if (current[0] != -1) {
                    complete[0] = current[0];
                    if (!currentEvents.get(0).isEmpty()) {
                        revisions.add(Map.entry(current[0], List.copyOf(currentEvents.get(0))));
                        currentEvents.set(0, new ArrayList<>());
                    }
                    if (read[0] >= chunk) {
                        stopped[0] = true;
                        return false; // this event is read again by the next step
                    }
                }
                current[0] = revision;
            }
            read[0]++;
            Event selected = watcher.select(event);
            if (selected != null) {
                currentEvents.get(0).add(selected);
            }
            return true;
        });
        if (!stopped[0]) {
            if (current[0] != -1 && !currentEvents.get(0).isEmpty()) {
                revisions.add(Map.entry(current[0], List.copyOf(currentEvents.get(0))));
            }
            complete[0] = upTo;
        }
        return new WatchHub.Slice(revisions, complete[0]);
    }

    /** Puts the watcher's events of {@code slice} into responses, never splitting a revision unless fragments are allowed. */
    private void deliver(Watcher watcher, WatchHub.Slice slice) {
        int max = hub.options.maxEventsPerResponse();
        long revision = slice.upTo();
        List<Event> pending = new ArrayList<>();
        boolean emitted = false;
        for (Map.Entry<Long, List<Event>> entry : slice.revisions()) {
            List<Event> selected = new ArrayList<>();
            for (Event event : entry.getValue()) {
                Event chosen = watcher.select(event);
                if (chosen != null) {
                    selected.add(chosen);
                }
            }
            if (selected.isEmpty()) {
                continue;
            }
            emitted = true;
            if (!pending.isEmpty() && pending.size() + selected.size() > max) {
                outbox.add(response(revision, watcher.id, false, false, 0, "", false, pending));
                pending = new ArrayList<>();
            }
            if (selected.size() > max && watcher.fragment) {
                for (int from = 0; from < selected.size(); from += max) {
                    int to = Math.min(from + max, selected.size());
                    outbox.add(response(revision, watcher.id, false, false, 0, "", to < selected.size(),
                            selected.subList(from, to)));
                }
                continue;
            }
            pending.addAll(selected);
        }
        if (!pending.isEmpty()) {
            outbox.add(response(revision, watcher.id, false, false, 0, "", false, pending));
        }
        if (emitted) {
            watcher.sentSinceTick = true;
        }
    }

    /** etcd's progress rules: a stream-wide answer once every watcher is synced; per-watcher ticks when idle and synced. */
    private void answerProgress() {
        long newest = hub.latestRevision();
        if (progressRequested && order.stream().allMatch(w -> w.next > newest)) {
            progressRequested = false;
            outbox.add(response(newest, -1, false, false, 0, "", false, List.of()));
        }
        if (tick) {
            tick = false;
            for (Watcher watcher : order) {
                if (watcher.progressNotify) {
                    if (!watcher.sentSinceTick && watcher.next > newest) {
                        outbox.add(response(newest, watcher.id, false, false, 0, "", false, List.of()));
                    }
                    watcher.sentSinceTick = false;
                }
            }
        }
    }

    private WatchResponse response(long revision, long watchId, boolean created, boolean canceled, long compactRevision,
                                   String reason, boolean fragment, List<Event> events) {
        ResponseHeader base = headers.get();
        ResponseHeader header = new ResponseHeader(base.clusterId(), base.memberId(), revision, base.raftTerm());
        return new WatchResponse(header, watchId, created, canceled, compactRevision, reason, fragment, events);
    }
}
