package io.cairn.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RequestOp;
import io.cairn.api.kv.TxnRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.cairn.server.mvcc.WriteResult;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Catch-up, slow subscribers, many watchers and a randomized check against the applied events. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchHubConcurrencyTest extends WatchTestSupport {

    @Override
    WatchHub.Options hubOptions() {
        // a small window and small steps, so watchers move between memory and storage often
        return WatchHub.Options.defaults().withWindowEvents(64).withCatchUpChunkEvents(50)
                .withMaxEventsPerResponse(20).withStreamBufferResponses(4);
    }

    @Test
    void historyThenLiveWithoutGapOrDuplicateWhileWritesContinue() throws Exception {
        for (int i = 0; i < 500; i++) {
            put("h/" + (i % 13), "before" + i);
        }
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        int livePuts = 1500;
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < livePuts; i++) {
                    put("h/" + (i % 13), "during" + i);
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        });
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        writer.start();
        stream.create(WatchCreateRequest.prefix(b("h/")).withStartRevision(2));
        recorder.next(WatchResponse::created, "created");
        List<Event> events = recorder.events(0, 500 + livePuts);
        writer.join();
        assertEquals(null, writerFailure.get());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(2 + i, events.get(i).kv().modRevision(), "event " + i + " of " + describe(events.subList(
                    Math.max(0, i - 2), Math.min(events.size(), i + 2))));
        }
        recorder.expectNothing(100);
    }

    @Test
    void aSlowSubscriberBlocksNeitherWritesNorOthersAndCatchesUpLater() {
        WatchStream slowStream = open();
        Recorder slow = new Recorder(1);
        slowStream.subscribe(slow);
        slowStream.create(WatchCreateRequest.prefix(b("s/")));
        slow.next(WatchResponse::created, "created");

        WatchStream fastStream = open();
        Recorder fast = Recorder.unbounded(fastStream);
        fastStream.create(WatchCreateRequest.prefix(b("s/")));
        fast.next(WatchResponse::created, "created");

        int writes = 3000;
        // onApplied never waits for a subscriber: were it to wait for the slow one (no demand), this
        // loop would never end and the class timeout would fail the test. No timing is asserted.
        for (int i = 0; i < writes; i++) {
            WriteResult<?> result = store.applyPut(++raftIndex, PutRequest.of(b("s/" + (i % 50)), b("v" + i)));
            hub.onApplied(result.revision(), result.events());
            assertTrue(hub.windowEventCount() <= 64, "the window stays bounded");
        }
        List<Event> fastEvents = fast.events(0, writes);
        assertEquals(writes, fastEvents.size());
        slow.expectNothing(50);
        assertTrue(slow.responses.isEmpty(), "no demand, nothing delivered");

        long readsBefore = hub.catchUpReads();
        slow.awaitSubscription().request(Long.MAX_VALUE);
        List<Event> slowEvents = slow.events(0, writes);
        assertTrue(hub.catchUpReads() > readsBefore, "the slow watcher fell out of the window and read storage");
        assertEquals(fastEvents, slowEvents, "the slow watcher caught up from storage, complete and in order");
    }

    @Test
    void aThousandWatchersOnOneStream() {
        WatchStream stream = open();
        Recorder recorder = Recorder.unbounded(stream);
        int count = 1000;
        for (int i = 0; i < count; i++) {
            stream.create(WatchCreateRequest.of(b("key" + i)));
        }
        for (int i = 0; i < count; i++) {
            WatchResponse created = recorder.next(WatchResponse::created, "created");
            assertEquals(i, created.watchId());
        }
        for (int i = 0; i < count; i++) {
            put("key" + i, "v" + i);
        }
        Map<Long, List<Event>> byWatcher = new HashMap<>();
        for (int i = 0; i < count; i++) {
            WatchResponse response = recorder.next(r -> r.events().size() == 1, "one event");
            byWatcher.computeIfAbsent(response.watchId(), id -> new ArrayList<>()).addAll(response.events());
        }
        for (long id = 0; id < count; id++) {
            List<Event> events = byWatcher.get(id);
            assertEquals(1, events.size(), "watcher " + id);
            assertEquals("key" + id, events.get(0).kv().key().toUtf8());
        }
        recorder.expectNothing(100);
    }

    /** A subscriber that asks for one response at a time, from inside onNext. */
    static final class OneAtATime extends Recorder {
        OneAtATime() {
            super(1);
        }

        @Override
        public void onNext(WatchResponse item) {
            super.onNext(item);
            subscription.request(1);
        }
    }

    private record Spec(long id, KeyRange range, long start, boolean prevKv, Set<WatchCreateRequest.Filter> filters) {
        boolean wants(Event event) {
            if (event.kv().modRevision() < start || !range.contains(event.kv().key())) {
                return false;
            }
            return !filters.contains(event.type() == Event.Type.PUT
                    ? WatchCreateRequest.Filter.NOPUT : WatchCreateRequest.Filter.NODELETE);
        }

        Event shaped(Event event) {
            return prevKv ? event : new Event(event.type(), event.kv(), Optional.empty());
        }
    }

    @RepeatedTest(5)
    void randomizedWatchersSeeExactlyTheirEventsInOrder() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String context = "reproduce with seed=" + seed;
        List<Event> applied = new ArrayList<>();
        List<WatchStream> streams = List.of(open(), open(), open());
        List<Recorder> recorders = List.of(Recorder.unbounded(streams.get(0)), new OneAtATime(), new Recorder(3));
        streams.get(1).subscribe(recorders.get(1));
        streams.get(2).subscribe(recorders.get(2));
        List<List<Spec>> specs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Map<Integer, Long> nextIds = new HashMap<>();

        int revisions = 600;
        for (int step = 0; step < revisions; step++) {
            applied.addAll(randomWrite(random));
            if (random.nextInt(25) == 0) {
                int streamIndex = random.nextInt(3);
                long start = random.nextBoolean() ? store.currentRevision() + 1
                        : 2 + random.nextInt((int) Math.max(1, store.currentRevision() - 1));
                KeyRange range = randomRange(random);
                Set<WatchCreateRequest.Filter> filters = EnumSet.noneOf(WatchCreateRequest.Filter.class);
                if (random.nextInt(5) == 0) {
                    filters.add(random.nextBoolean() ? WatchCreateRequest.Filter.NOPUT : WatchCreateRequest.Filter.NODELETE);
                }
                boolean prevKv = random.nextBoolean();
                long id = nextIds.merge(streamIndex, 1L, Long::sum) - 1;
                specs.get(streamIndex).add(new Spec(id, range, start, prevKv, filters));
                streams.get(streamIndex).create(new WatchCreateRequest(range.key(), range.rangeEnd(), start, false,
                        filters, prevKv, 0, false));
            }
            if (step == revisions / 2) {
                recorders.get(2).awaitSubscription().request(Long.MAX_VALUE); // the third stream stalls until half-way
            }
        }
        long last = store.currentRevision();
        for (int s = 0; s < 3; s++) {
            streams.get(s).requestProgress();
            Map<Long, List<Event>> received = new HashMap<>();
            while (true) {
                WatchResponse response = recorders.get(s).next();
                if (response.watchId() == -1) {
                    assertEquals(last, response.header().revision(), context);
                    break;
                }
                assertTrue(!response.canceled(), context + ": unexpected cancel " + response);
                if (!response.created()) {
                    received.computeIfAbsent(response.watchId(), id -> new ArrayList<>()).addAll(response.events());
                }
            }
            for (Spec spec : specs.get(s)) {
                List<Event> expected = applied.stream().filter(spec::wants).map(spec::shaped).toList();
                List<Event> actual = received.getOrDefault(spec.id(), List.of());
                assertEquals(describe(expected), describe(actual), context + ", stream " + s + ", " + spec);
                assertEquals(expected, actual, context + ", stream " + s + ", " + spec + " (prev_kv)");
            }
        }
        assertTrue(hub.catchUpReads() > 0, context + ": some watcher read history from storage");
    }

    private static final String[] KEYS = {"a", "b", "b/1", "b/2", "c", "c/x", "d", "e"};

    private List<Event> randomWrite(Random random) {
        WriteResult<?> result;
        do {
            int kind = random.nextInt(10);
            if (kind < 6) {
                result = store.applyPut(++raftIndex, PutRequest.of(b(KEYS[random.nextInt(KEYS.length)]),
                        b("v" + random.nextInt(1000))));
            } else if (kind < 8) {
                result = store.applyDeleteRange(++raftIndex, DeleteRangeRequest.of(randomRange(random)));
            } else {
                List<RequestOp> ops = new ArrayList<>();
                Set<String> used = new java.util.HashSet<>();
                for (int i = 0; i < 1 + random.nextInt(30); i++) {
                    String key = KEYS[random.nextInt(KEYS.length)] + "/" + random.nextInt(10);
                    if (used.add(key)) {
                        ops.add(PutRequest.of(b(key), b("t" + i)));
                    }
                }
                result = store.applyTxn(++raftIndex, new TxnRequest(List.of(), ops, List.of()));
            }
        } while (result.events().isEmpty());
        hub.onApplied(result.revision(), result.events());
        return result.events();
    }

    private static KeyRange randomRange(Random random) {
        String key = KEYS[random.nextInt(KEYS.length)];
        return switch (random.nextInt(4)) {
            case 0 -> KeyRange.single(Bytes.fromUtf8(key));
            case 1 -> KeyRange.prefix(Bytes.fromUtf8(key));
            case 2 -> KeyRange.fromKey(Bytes.fromUtf8(key));
            default -> new KeyRange(Bytes.fromUtf8(key), Bytes.fromUtf8(key + "~"));
        };
    }
}
