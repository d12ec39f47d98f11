package io.cairn.client;

import static io.cairn.client.TestServers.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.KeyRange;
import io.cairn.api.kv.CompactionRequest;
import io.cairn.api.watch.Event;
import io.cairn.api.watch.WatchCreateRequest;
import io.cairn.api.watch.WatchResponse;
import io.cairn.api.watch.WatchStream;
import io.cairn.server.CairnServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watch across a restart of its member (same data directory, same port): the stream reconnects
 * and resumes from the revision after the last event it delivered.
 */
class WatchResumeTest {

    @TempDir
    Path dir;

    private static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    /** Binds the port again; a just-closed port may take a moment to be free. */
    private static CairnServer restart(Path dir, int port) throws InterruptedException {
        RuntimeException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return TestServers.start(dir, port);
            } catch (CairnServer.StartException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private static List<Event> events(Collector<WatchResponse> seen, int count) {
        List<Event> events = new ArrayList<>();
        while (events.size() < count) {
            WatchResponse response = seen.next();
            assertFalse(response.canceled(), "canceled: " + response);
            events.addAll(response.events());
        }
        return events;
    }

    @Test
    void noEventIsLostOrRepeatedAcrossARestart() throws Exception {
        CairnServer first = TestServers.start(dir, 0);
        int port = TestServers.port(first);
        CairnServer second = null;
        try (CairnClient client = CairnClient.builder().endpoints(TestServers.endpoint(first))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            Collector<WatchResponse> seen = new Collector<>();
            WatchStream stream = client.watch().openStream();
            stream.subscribe(seen);
            stream.create(WatchCreateRequest.of(KeyRange.prefix(b("r/"))));
            assertTrue(seen.next().created());
            for (int i = 1; i <= 5; i++) {
                await(client.kv().put(b("r/" + i), b("v" + i)));
            }
            List<Event> events = new ArrayList<>(events(seen, 5));

            first.close();
            second = restart(dir, port);
            // written while the client is away, or just back: it must see them all, once
            for (int i = 6; i <= 10; i++) {
                await(second.client().kv().put(b("r/" + i), b("v" + i)));
            }
            events.addAll(events(seen, 5));
            await(client.kv().put(b("r/11"), b("v11")));
            events.addAll(events(seen, 1));

            List<String> keys = events.stream().map(e -> e.kv().key().toUtf8()).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 11; i++) {
                expected.add("r/" + i);
            }
            assertEquals(expected, keys);
            for (int i = 1; i < events.size(); i++) {
                assertEquals(events.get(i - 1).kv().modRevision() + 1, events.get(i).kv().modRevision());
            }
            assertNull(seen.poll(300), "nothing more, in particular no repeated event");
            stream.close();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aResumeBelowTheCompactionCancelsTheWatcherWithTheCompactRevision() throws Exception {
        CairnServer first = TestServers.start(dir, 0);
        int port = TestServers.port(first);
        CairnServer third = null;
        try (CairnClient client = CairnClient.builder().endpoints(TestServers.endpoint(first))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            Collector<WatchResponse> seen = new Collector<>();
            WatchStream stream = client.watch().openStream();
            stream.subscribe(seen);
            stream.create(WatchCreateRequest.of(KeyRange.prefix(b("q/"))));
            assertTrue(seen.next().created());
            await(client.kv().put(b("q/1"), b("1")));
            assertEquals(1, events(seen, 1).size());
            first.close();

            // While the client is away: more writes, then a compaction past where it would resume.
            long compactedTo;
            try (CairnServer embedded = CairnServer.builder().dataDir(dir).start()) {
                await(embedded.client().kv().put(b("q/2"), b("2")));
                compactedTo = await(embedded.client().kv().put(b("q/3"), b("3"))).header().revision();
                await(embedded.client().kv().compact(CompactionRequest.of(compactedTo)));
            }
            third = restart(dir, port);

            WatchResponse canceled = seen.next();
            assertTrue(canceled.canceled(), canceled.toString());
            assertFalse(canceled.created(), "the watcher was announced before: this is its end, not a new one");
            assertEquals(0, canceled.watchId());
            assertEquals(compactedTo, canceled.compactRevision());
            stream.close();
        } finally {
            first.close();
            if (third != null) {
                third.close();
            }
        }
    }
}
