package io.cairn.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILL during a stream of acknowledged puts: after a restart on the same data directory, every
 * acknowledged put is there and the revisions have no gap.
 */
class CrashIT {

    private static final int MIN_ACKNOWLEDGED = 150;

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    @ParameterizedTest(name = "--storage {0}")
    @ValueSource(strings = {"rocksdb", "xodus"})
    void everyAcknowledgedPutSurvivesSigkill(String storage) throws Exception {
        Path dataDir = CairnProcess.newDataDir("crash-" + storage);
        List<Long> acknowledgedRevisions = new CopyOnWriteArrayList<>();
        AtomicReference<Exception> writerStop = new AtomicReference<>();
        try (CairnProcess first = CairnProcess.start(dataDir, "--storage", storage);
             Client client = Client.builder().endpoints(first.clientUrl())
                     .retryMaxDuration(Duration.ofSeconds(2)).build()) {
            String command = ProcessHandle.of(first.pid()).flatMap(h -> h.info().command()).orElse("");
            assertTrue(command.endsWith("/java"), "the launcher execs java, so the kill reaches the JVM: " + command);

            Thread writer = new Thread(() -> {
                for (int i = 0; ; i++) {
                    try {
                        long revision = client.getKVClient().put(bytes(key(i)), bytes("v" + i))
                                .get(10, TimeUnit.SECONDS).getHeader().getRevision();
                        acknowledgedRevisions.add(revision);
                    } catch (Exception e) {
                        writerStop.set(e);
                        return; // the server is gone: this put is not acknowledged
                    }
                }
            }, "crash-writer");
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledgedRevisions.size() < MIN_ACKNOWLEDGED && System.nanoTime() < deadline && writer.isAlive()) {
                Thread.sleep(10);
            }
            assertTrue(acknowledgedRevisions.size() >= MIN_ACKNOWLEDGED, () -> "only " + acknowledgedRevisions.size()
                    + " puts acknowledged (writer stopped by " + writerStop.get() + "); stderr:\n" + first.stderr());
            first.kill();
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(writer.isAlive(), "the writer stops once the server is gone");
        }

        int acknowledged = acknowledgedRevisions.size();
        for (int i = 0; i < acknowledged; i++) {
            assertEquals(i + 2, acknowledgedRevisions.get(i), "put " + i + " acknowledged at revision");
        }
        try (CairnProcess second = CairnProcess.start(dataDir, "--storage", storage);
             Client client = Client.builder().endpoints(second.clientUrl()).build()) {
            GetResponse all = client.getKVClient().get(bytes("crash/"), GetOption.builder().isPrefix(true).build())
                    .get(15, TimeUnit.SECONDS);
            long present = all.getCount();
            // the put in flight at the kill may or may not have been applied; nothing acknowledged is lost
            assertTrue(present == acknowledged || present == acknowledged + 1,
                    "acknowledged " + acknowledged + ", present after restart " + present);
            assertEquals(present + 1, all.getHeader().getRevision(), "revision = number of puts + 1: no gap");
            List<KeyValue> kvs = all.getKvs();
            for (KeyValue kv : kvs) {
                int i = Integer.parseInt(kv.getKey().toString(UTF_8).substring("crash/".length()));
                assertEquals("v" + i, kv.getValue().toString(UTF_8));
                assertEquals(i + 2, kv.getModRevision(), "put " + i + " keeps its revision");
                assertEquals(kv.getModRevision(), kv.getCreateRevision());
            }
            // and the restarted member takes writes where the log left off
            long next = client.getKVClient().put(bytes("after"), bytes("restart")).get(15, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            assertEquals(present + 2, next);
        }
    }

    /** Zero-padded so the prefix range lists keys in put order. */
    private static String key(int i) {
        return String.format("crash/%06d", i);
    }
}
