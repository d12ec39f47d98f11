package io.cairn.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.CairnException;
import io.cairn.api.ErrorCode;
import io.cairn.api.KeyRange;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.cairn.server.mvcc.MvccStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WatchHubTest extends WatchTestSupport {

    @Override
    WatchHub.Options hubOptions() {
        return WatchHub.Options.defaults().withProgressInterval(Duration.ofMillis(100));
    }

    @Test
    void liveWatchOnOneKeySeesOnlyThatKey() {
        put("a", "0");
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("a")));
        WatchResponse created = recorder.next(WatchResponse::created, "created");
        assertEquals(0, created.watchId(), "etcd numbers a stream's watchers from 0");
        assertFalse(created.canceled());
        assertEquals(2, created.header().revision());
        assertEquals(HEADER.clusterId(), created.header().clusterId());
        assertEquals(HEADER.raftTerm(), created.header().raftTerm());

        put("b", "1");
        long putA = put("a", "2");
        long deleteA = delete("a");
        List<Event> events = recorder.events(0, 2);
        assertEquals(List.of("PUT a@" + putA + "=2", "DELETE a@" + deleteA), describe(events));
        assertTrue(events.get(0).prevKv().isEmpty(), "no prev_kv unless asked");
        recorder.expectNothing(100);
    }

    @Test
    void liveWatchOnPrefixSeesEveryKeyUnderIt() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.prefix(b("dir/")));
        recorder.next(WatchResponse::created, "created");
        long r1 = put("dir/x", "1");
        put("dis", "no");
        long r2 = putAll(List.of("dir/y", "dir/z", "other"), "2");
        long r3 = deletePrefix("dir/");
        List<Event> events = new java.util.ArrayList<>();
        java.util.Map<Long, Integer> responseOfRevision = new java.util.HashMap<>();
        for (int index = 0; events.size() < 6; index++) {
            WatchResponse response = recorder.next(r -> r.watchId() == 0 && !r.events().isEmpty(), "events");
            for (Event event : response.events()) {
                int first = responseOfRevision.computeIfAbsent(event.kv().modRevision(), revision -> 0) ;
                responseOfRevision.put(event.kv().modRevision(), first == 0 ? index + 1 : first);
                assertEquals(index + 1, responseOfRevision.get(event.kv().modRevision()),
                        "one revision's events travel together: " + event);
                assertTrue(response.header().revision() >= event.kv().modRevision(), "the header covers the events");
            }
            events.addAll(response.events());
        }
        assertEquals(List.of("PUT dir/x@" + r1 + "=1", "PUT dir/y@" + r2 + "=2", "PUT dir/z@" + r2 + "=2",
                "DELETE dir/x@" + r3, "DELETE dir/y@" + r3, "DELETE dir/z@" + r3), describe(events));
        recorder.expectNothing(100);
    }

    @Test
    void prevKvLiveAndFromHistory() {
        long first = put("k", "old");
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("k")).withPrevKv(true));
        recorder.next(WatchResponse::created, "created");
        long second = put("k", "new");
        Event live = recorder.events(0, 1).get(0);
        assertEquals("old", live.prevKv().orElseThrow().value().toUtf8());
        assertEquals(first, live.prevKv().orElseThrow().modRevision());

        stream.create(WatchCreateRequest.of(b("k")).withPrevKv(true).withStartRevision(first));
        recorder.next(response -> response.created() && response.watchId() == 1, "created 1");
        List<Event> history = recorder.events(1, 2);
        assertTrue(history.get(0).prevKv().isEmpty(), "the first version had no predecessor");
        assertEquals(live, history.get(1), "history carries the same event as the live path, prev_kv included");
        assertEquals(second, history.get(1).kv().modRevision());
    }

    @Test
    void filtersDropPutsOrDeletes() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("k")).withFilters(Set.of(WatchCreateRequest.Filter.NOPUT)));
        stream.create(WatchCreateRequest.of(b("k")).withFilters(Set.of(WatchCreateRequest.Filter.NODELETE)));
        recorder.next(WatchResponse::created, "created");
        recorder.next(WatchResponse::created, "created");
        long putRevision = put("k", "v");
        long deleteRevision = delete("k");
        WatchResponse first = recorder.next();
        WatchResponse second = recorder.next();
        WatchResponse onlyPuts = first.watchId() == 1 ? first : second;
        WatchResponse onlyDeletes = first.watchId() == 0 ? first : second;
        assertEquals(List.of("PUT k@" + putRevision + "=v"), describe(onlyPuts.events()));
        assertEquals(List.of("DELETE k@" + deleteRevision), describe(onlyDeletes.events()));
        recorder.expectNothing(100);
    }

    @Test
    void cancelAnswersCanceledAndStopsEvents() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("k")).withWatchId(7));
        assertEquals(7, recorder.next(WatchResponse::created, "created").watchId());
        stream.cancel(7);
        WatchResponse canceled = recorder.next(WatchResponse::canceled, "canceled");
        assertEquals(7, canceled.watchId());
        assertEquals(0, canceled.compactRevision());
        stream.cancel(99); // unknown: etcd answers nothing
        put("k", "v");
        recorder.expectNothing(150);
    }

    @Test
    void watcherCountFollowsCreatesCancelsCompactionsAndClosedStreams() {
        long first = put("n", "0");
        for (int i = 1; i < 20; i++) {
            put("n", "" + i);
        }
        compact(first + 10);
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        for (int id = 1; id <= 3; id++) {
            stream.create(WatchCreateRequest.of(b("n")).withWatchId(id));
            recorder.next(r -> r.created(), "created");
        }
        awaitWatcherCount(3);
        stream.cancel(2);
        recorder.next(WatchResponse::canceled, "canceled");
        awaitWatcherCount(2);
        stream.create(WatchCreateRequest.of(b("n")).withWatchId(4).withStartRevision(first + 1));
        recorder.next(WatchResponse::created, "created");
        recorder.next(r -> r.canceled() && r.watchId() == 4, "canceled by compaction");
        awaitWatcherCount(2); // its history is compacted: canceled at once, it never joins
        WatchStream other = open();
        Recorder otherRecorder = Recorder.unbounded(other);
        other.create(WatchCreateRequest.of(b("n")));
        otherRecorder.next(WatchResponse::created, "created");
        awaitWatcherCount(3);
        stream.close();
        awaitWatcherCount(1);
        other.close();
        awaitWatcherCount(0);
    }

    private void awaitWatcherCount(long expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (hub.watcherCount() != expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(expected, hub.watcherCount());
    }

    @Test
    void duplicateIdAndEmptyRangeAreRefusedAsEtcdDoes() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("a")).withWatchId(3));
        recorder.next(WatchResponse::created, "created");
        stream.create(WatchCreateRequest.of(b("b")).withWatchId(3));
        WatchResponse duplicate = recorder.next(r -> r.created() && r.canceled(), "refused create");
        assertEquals(-1, duplicate.watchId());
        assertEquals("mvcc: duplicate watch ID provided on the WatchStream", duplicate.cancelReason());
        stream.create(WatchCreateRequest.of(new KeyRange(b("z"), b("a"))));
        WatchResponse empty = recorder.next(r -> r.created() && r.canceled(), "refused create");
        assertEquals("mvcc: watcher range is empty", empty.cancelReason());
        stream.create(WatchCreateRequest.of(b("c")));
        assertEquals(0, recorder.next(WatchResponse::created, "created").watchId(), "auto ids skip nothing taken");
    }

    @Test
    void progressRequestAnswersAfterEveryEarlierEvent() {
        for (int i = 0; i < 300; i++) {
            put("k" + (i % 7), "v" + i);
        }
        long latest = store.currentRevision();
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.prefix(b("k")).withStartRevision(2));
        stream.requestProgress();
        recorder.next(WatchResponse::created, "created");
        long lastEvent = 0;
        int events = 0;
        while (true) {
            WatchResponse response = recorder.next();
            if (response.watchId() == -1) {
                assertTrue(response.isProgressNotify(), "a progress notification: " + response);
                assertEquals(latest, response.header().revision());
                break;
            }
            for (Event event : response.events()) {
                assertTrue(event.kv().modRevision() > lastEvent);
                lastEvent = event.kv().modRevision();
                events++;
            }
        }
        assertEquals(300, events, "the progress notification came only once the watcher had caught up");
        assertEquals(latest, lastEvent);
    }

    @Test
    void progressRequestOnAStreamWithoutWatchersIsAnswered() {
        put("a", "1");
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.requestProgress();
        WatchResponse progress = recorder.next(WatchResponse::isProgressNotify, "progress");
        assertEquals(-1, progress.watchId());
        assertEquals(store.currentRevision(), progress.header().revision());
    }

    @Test
    void progressNotifyReachesIdleWatchersThatAskedOnly() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("quiet")));
        stream.create(WatchCreateRequest.of(b("idle")).withProgressNotify(true));
        recorder.next(WatchResponse::created, "created");
        recorder.next(WatchResponse::created, "created");
        long revision = put("elsewhere", "x");
        for (int i = 0; i < 3; i++) {
            WatchResponse progress = recorder.next(WatchResponse::isProgressNotify, "progress notification");
            assertEquals(1, progress.watchId(), "only the watcher that asked");
            assertTrue(progress.header().revision() >= revision - 1);
        }
    }

    @Test
    void compactionCancelsAWatcherThatStillNeedsCompactedHistory() {
        long first = put("k", "0");
        for (int i = 1; i < 20; i++) {
            put("k", "" + i);
        }
        compact(first + 10);
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("k")).withStartRevision(first));
        WatchResponse created = recorder.next(WatchResponse::created, "created");
        assertFalse(created.canceled());
        WatchResponse compacted = recorder.next(WatchResponse::canceled, "canceled by compaction");
        assertEquals(created.watchId(), compacted.watchId());
        assertEquals(first + 10, compacted.compactRevision());

        stream.create(WatchCreateRequest.of(b("k")).withStartRevision(first + 10));
        long atCompact = recorder.next(WatchResponse::created, "created at the compact revision").watchId();
        assertEquals(10, recorder.events(atCompact, 10).size(), "reading at the compact revision works");
    }

    @Test
    void compactionCancelsALaggingWatcher() {
        hub.close();
        // one event per step and per response, one response buffered: the watcher stalls near its start
        hub = new WatchHub(store, WatchHub.Options.defaults().withWindowEvents(10).withStreamBufferResponses(1)
                .withMaxEventsPerResponse(1).withCatchUpChunkEvents(1));
        WatchStream stream = open();
        Recorder lagging = new Recorder(1);
        stream.subscribe(lagging);
        stream.create(WatchCreateRequest.of(b("k")));
        long watchId = lagging.next(WatchResponse::created, "created").watchId();
        long first = 0;
        for (int i = 0; i < 100; i++) {
            long revision = put("k", "" + i);
            first = first == 0 ? revision : first;
        }
        compact(first + 50);
        lagging.awaitSubscription().request(Long.MAX_VALUE);
        long lastEvent = 0;
        while (true) {
            WatchResponse response = lagging.next();
            if (response.canceled()) {
                assertEquals(watchId, response.watchId());
                assertEquals(first + 50, response.compactRevision());
                break;
            }
            for (Event event : response.events()) {
                assertTrue(event.kv().modRevision() > lastEvent);
                lastEvent = event.kv().modRevision();
            }
        }
        assertTrue(lastEvent < first + 50, "only buffered events came before the cancel, up to " + lastEvent);
        put("k", "after");
        lagging.expectNothing(100);
    }

    @Test
    void closingTheStreamCompletesItAndClosingTheHubFailsTheRest() {
        WatchStream closing = open();
        Recorder completed = Recorder.unbounded(closing);
        closing.close();
        assertThrows(IllegalStateException.class, () -> closing.create(WatchCreateRequest.of(b("k"))));
        WatchStream open = open();
        Recorder failed = Recorder.unbounded(open);
        open.create(WatchCreateRequest.of(b("k")));
        failed.next(WatchResponse::created, "created");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!completed.completed && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(completed.completed, "onComplete after close");
        hub.close();
        assertEquals(1, failed.errors.size());
        assertTrue(((CairnException) failed.errors.get(0)).is(ErrorCode.STOPPED));
        assertThrows(IllegalStateException.class, () -> hub.openStream(() -> HEADER));
    }

    @Test
    void aSecondSubscriberIsRefused() {
        WatchStream stream = open();
        Recorder.unbounded(stream);
        Recorder second = Recorder.unbounded(stream);
        assertEquals(1, second.errors.size());
        assertTrue(second.errors.get(0) instanceof IllegalStateException);
    }

    @Test
    void aLargeRevisionIsFragmentedOnlyWhenAllowed() {
        hub.close();
        hub = new WatchHub(store, WatchHub.Options.defaults().withMaxEventsPerResponse(3));
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.prefix(b("f/")));
        stream.create(WatchCreateRequest.prefix(b("f/")).withFragment(true));
        recorder.next(WatchResponse::created, "created");
        recorder.next(WatchResponse::created, "created");
        putAll(List.of("f/1", "f/2", "f/3", "f/4", "f/5", "f/6", "f/7"), "v");
        List<WatchResponse> whole = new java.util.ArrayList<>();
        List<WatchResponse> fragments = new java.util.ArrayList<>();
        while (whole.isEmpty() || fragments.isEmpty() || fragments.get(fragments.size() - 1).fragment()) {
            WatchResponse response = recorder.next();
            (response.watchId() == 0 ? whole : fragments).add(response);
        }
        assertEquals(1, whole.size());
        assertEquals(7, whole.get(0).events().size(), "without fragment a revision is never split");
        assertEquals(List.of(3, 3, 1), fragments.stream().map(r -> r.events().size()).toList());
        assertEquals(List.of(true, true, false), fragments.stream().map(WatchResponse::fragment).toList());
    }

    @Test
    void revisionsMustIncrease() {
        open(); // with a stream open the hub keeps its window
        long revision = put("k", "v");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hub.onApplied(revision, List.of(new Event(Event.Type.DELETE,
                        new io.cairn.api.KeyValue(b("k"), 0, revision, 0, b(""), 0), java.util.Optional.empty()))));
        assertTrue(e.getMessage().contains("revision " + revision), e.getMessage());
        hub.onApplied(revision + 1, List.of()); // nothing changed: ignored
        assertEquals(1, hub.windowEventCount());
    }

    @Test
    void withNoStreamOpenTheHubKeepsNoWindowAndALaterWatcherReadsThePastFromStorage() {
        long first = put("k", "1");
        put("k", "2");
        assertEquals(0, hub.windowEventCount(), "nobody watches: nothing kept");
        assertThrows(IllegalArgumentException.class, () -> hub.onApplied(first, List.of(new Event(Event.Type.DELETE,
                new io.cairn.api.KeyValue(b("k"), 0, first, 0, b(""), 0), java.util.Optional.empty()))),
                "revisions must increase even with no stream open");

        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        stream.create(WatchCreateRequest.of(b("k")).withStartRevision(first));
        recorder.next(WatchResponse::created, "created");
        long third = put("k", "3");
        assertEquals(List.of("PUT k@" + first + "=1", "PUT k@" + (first + 1) + "=2", "PUT k@" + third + "=3"),
                describe(recorder.events(0, 3)));
        assertEquals(1, hub.windowEventCount(), "kept again once a stream is open");
    }

    @Test
    void theWindowIsBoundedInBytesAndAWatcherBelowItReadsStorage() {
        hub.close();
        hub = new WatchHub(store, WatchHub.Options.defaults().withWindowBytes(1000));
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        String value = "v".repeat(300);
        long first = put("k", value);
        for (int i = 0; i < 4; i++) {
            put("k", value);
            assertTrue(hub.windowByteCount() <= 1000, "window holds " + hub.windowByteCount() + " bytes");
        }
        assertTrue(hub.windowEventCount() < 5, "older revisions left the window");
        stream.create(WatchCreateRequest.of(b("k")).withStartRevision(first));
        recorder.next(WatchResponse::created, "created");
        List<Event> events = recorder.events(0, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(first + i, events.get(i).kv().modRevision());
        }
    }

    @Test
    void afterASnapshotReplacedTheStoreWatchersGetEveryRevisionItBroughtFromStorage() {
        // the leader's store: the same start, then revisions this member never applied
        io.cairn.spi.storage.Backend leaderBackend = io.cairn.server.mvcc.TestBackends.create();
        try (MvccStore leader = MvccStore.open(leaderBackend, MvccStore.Options.defaults(lease -> true))) {
            long leaderIndex = 0;
            WatchStream stream = open();
            Recorder live = Recorder.unbounded(stream);
            stream.create(WatchCreateRequest.prefix(b("k")));
            long liveId = live.next(WatchResponse::created, "created").watchId();
            for (int i = 0; i < 3; i++) {
                put("k", "" + i);
                leader.applyPut(++leaderIndex, io.cairn.api.kv.PutRequest.of(b("k"), b("" + i)));
            }
            assertEquals(3, live.events(liveId, 3).size());
            for (int i = 3; i < 10; i++) {
                leader.applyPut(++leaderIndex, io.cairn.api.kv.PutRequest.of(b("k"), b("" + i)));
            }

            store.restore(() -> io.cairn.server.mvcc.TestBackends.copyStoreContents(leaderBackend, backend, 1000, () -> {}));
            hub.onRestored(store.currentRevision());
            assertEquals(0, hub.windowEventCount(), "the window of the old contents is gone");
            raftIndex = store.consistentIndex();
            long next = put("k", "10");

            List<String> expected = new java.util.ArrayList<>();
            for (int i = 3; i <= 10; i++) {
                expected.add("PUT k@" + (i + 2) + "=" + i);
            }
            assertEquals(expected, describe(live.events(liveId, 8)), "the live watcher got the snapshot's revisions");
            WatchStream later = open();
            Recorder fromStart = Recorder.unbounded(later);
            later.create(WatchCreateRequest.of(b("k")).withStartRevision(2));
            long id = fromStart.next(WatchResponse::created, "created").watchId();
            List<String> all = describe(fromStart.events(id, 11));
            assertEquals("PUT k@2=0", all.get(0));
            assertEquals("PUT k@" + next + "=10", all.get(10));
        } finally {
            io.cairn.server.mvcc.TestBackends.destroy(leaderBackend);
        }
    }
}
