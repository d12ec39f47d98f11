package io.cairn.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.BackendDirectory;
import io.cairn.spi.storage.BackendStats;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.KeyValuePair;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ReadView;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.StorageException;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage conformance kit: every rule of {@code conformance-tests/README.md} as a JUnit test,
 * run against the {@link StorageProvider} that a subclass returns from {@link #provider()}. A plugin
 * author extends it in a few lines:
 *
 * <pre>{@code
 * class RocksDbStorageVerificationTest extends StorageVerification {
 *     @Override
 *     protected StorageProvider provider() {
 *         return StorageProviders.byId("rocksdb");
 *     }
 * }
 * }</pre>
 *
 * <p>Optional capabilities are {@code protected} hooks with documented defaults ({@link #corrupt},
 * {@link #options}, {@link #childJvmOptions}, ...). Rule names say what kind of rule they are:
 * {@code required_} must pass, {@code optional_} is skipped unless a hook enables it,
 * {@code stochastic_} looks for races for a bounded time ({@value #STRESS_MILLIS_PROPERTY}, default
 * {@value #DEFAULT_STRESS_MILLIS} ms per rule) and can only prove their presence. The rule texts and
 * "if this fails, check" lists are on {@link StorageVerificationRules}.
 *
 * <p>Every rule works in its own temporary directory and closes what it opened, so rules are
 * independent and can run in any order.
 */
@Timeout(120)
public abstract class StorageVerification implements StorageVerificationRules {

    /** The two keyspaces every rule opens. */
    static final String KS = "alpha";
    static final String OTHER_KS = "beta";
    static final String UNKNOWN_KS = "gamma";

    /** Milliseconds each stochastic rule runs for; raise it to hunt for rare races. */
    public static final String STRESS_MILLIS_PROPERTY = "cairn.conformance.stressMillis";
    /** Seed of the random choices (the crash point of spec 5.2); printed in every failure that used it. */
    public static final String SEED_PROPERTY = "cairn.conformance.seed";
    static final long DEFAULT_STRESS_MILLIS = 400;

    private Path workDir;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private int directories;
    private StorageProvider provider;

    // ---------------------------------------------------------------- what a subclass supplies

    /**
     * The provider under test. Obtain it the way the server does, by id:
     * {@code StorageProviders.byId("rocksdb")}; a plugin exports nothing, so its classes are not
     * visible to the test. Called once per rule.
     */
    protected abstract StorageProvider provider();

    /**
     * Provider options for every backend the kit opens (for instance smaller caches to keep the run
     * fast). Default: none.
     */
    protected Map<String, String> options() {
        return Map.of();
    }

    /**
     * The providers that spec 10.1 searches for {@link #provider()}'s id. Default: what the
     * ServiceLoader of {@code io.cairn.spi.storage} finds, {@link StorageProviders#all()}; override it
     * only for a provider that cannot be on the module path (the kit's own reference backend).
     */
    protected List<StorageProvider> discoveredProviders() {
        return StorageProviders.all();
    }

    /**
     * Damages the files of the closed backend in {@code directory}, the way a torn disk or a stray
     * write would, so that spec 9.7 can check that opening it reports {@link StorageException.Reason#CORRUPTED}.
     * Corruption is library-specific, so the default skips spec 9.7 (the rule is reported as aborted).
     */
    protected void corrupt(Path directory) throws IOException {
        Assumptions.abort("the provider's verification class does not override corrupt(Path); spec 9.7 is skipped");
    }

    /**
     * Extra JVM options for the child JVMs of specs 5.2 and 9.4 (for instance
     * {@code --enable-native-access=...}). The child gets this JVM's module path and class path already.
     * Default: none.
     */
    protected List<String> childJvmOptions() {
        return List.of();
    }

    /** How long each stochastic rule runs. Default: the system property {@value #STRESS_MILLIS_PROPERTY}. */
    protected Duration stressDuration() {
        return Duration.ofMillis(Long.getLong(STRESS_MILLIS_PROPERTY, DEFAULT_STRESS_MILLIS));
    }

    // ---------------------------------------------------------------- lifecycle

    @BeforeEach
    public final void prepareWorkDirectory(@TempDir Path directory) {
        this.workDir = directory;
        this.provider = provider();
        assertNotNull(provider, getClass().getName() + ".provider() returned null");
    }

    @AfterEach
    public final void closeWhatTheRuleOpened() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception | AssertionError ignored) {
                // the rule's own outcome is what matters; a failing close is judged by spec 5.4
            }
        }
    }

    // ---------------------------------------------------------------- spec 1: keys and ordering

    @Override
    @Test
    public void required_spec1_1_keysSortAsUnsignedBytes() {
        List<byte[]> ordered = List.of(bytes(0x00), bytes(0x00, 0x00), bytes(0x00, 0x01), bytes(0x01), bytes(0x7F),
                bytes(0x7F, 0xFF), bytes(0x80), bytes(0x80, 0x00), bytes(0x81), bytes(0xC0, 0x7F), bytes(0xFE));
        Backend backend = openFresh();
        putEach(backend, KS, shuffled(ordered, 11));
        assertKeys(ordered, backend.scan(KS, null, null, ScanOrder.ASCENDING, 0),
                "a full ascending scan (keys must compare as unsigned bytes, a proper prefix first)");
        assertKeys(reversed(ordered), backend.scan(KS, null, null, ScanOrder.DESCENDING, 0), "a full descending scan");
    }

    @Override
    @Test
    public void required_spec1_2_emptyKeyIsAKeyAndSortsFirst() {
        Backend backend = openFresh();
        put(backend, KS, bytes(0x00), text("zero"));
        put(backend, KS, bytes(), text("empty"));
        put(backend, KS, text("a"), text("a"));
        assertValue(text("empty"), backend, KS, bytes(), "get of the empty key");
        assertKeys(List.of(bytes(), bytes(0x00), text("a")), backend.scan(KS, null, null, ScanOrder.ASCENDING, 0),
                "a full ascending scan (the empty key sorts before every other key)");
        assertKeys(List.of(text("a"), bytes(0x00), bytes()), backend.scan(KS, null, null, ScanOrder.DESCENDING, 0),
                "a full descending scan");
        assertKeys(List.of(bytes()), backend.scan(KS, bytes(), bytes(0x00), ScanOrder.ASCENDING, 0),
                "scan [<empty>, 00) ascending");
        assertKeys(List.of(bytes()), backend.scan(KS, bytes(), bytes(0x00), ScanOrder.DESCENDING, 0),
                "scan [<empty>, 00) descending");
        backend.write(new WriteBatch().delete(KS, bytes()), Durability.NOT_SYNCED);
        assertValue(null, backend, KS, bytes(), "get of the empty key after deleting it");
        assertKeys(List.of(bytes(0x00), text("a")), backend.scan(KS, null, null, ScanOrder.ASCENDING, 0),
                "a full scan after deleting the empty key");
    }

    @Override
    @Test
    public void required_spec1_3_keysOfFfBytesSortLast() {
        List<byte[]> ordered = List.of(bytes(0x00), bytes(0x7F), bytes(0xFE, 0xFF), bytes(0xFF), bytes(0xFF, 0x00),
                bytes(0xFF, 0xFF), bytes(0xFF, 0xFF, 0xFF));
        Backend backend = openFresh();
        putEach(backend, KS, shuffled(ordered, 13));
        assertKeys(ordered, backend.scan(KS, null, null, ScanOrder.ASCENDING, 0), "a full ascending scan");
        assertKeys(reversed(ordered), backend.scan(KS, null, null, ScanOrder.DESCENDING, 0), "a full descending scan");
        assertKeys(ordered.subList(3, 7), backend.scan(KS, bytes(0xFF), null, ScanOrder.ASCENDING, 0),
                "scan [ff, end) ascending");
        assertKeys(reversed(ordered.subList(3, 7)), backend.scan(KS, bytes(0xFF), null, ScanOrder.DESCENDING, 0),
                "scan [ff, end) descending (must start at the greatest key, ffffff)");
        assertKeys(ordered.subList(3, 5), backend.scan(KS, bytes(0xFF), bytes(0xFF, 0xFF), ScanOrder.ASCENDING, 0),
                "scan [ff, ffff) ascending");
        assertValue(text("v"), backend, KS, bytes(0xFF, 0xFF, 0xFF), "get of key ffffff");
    }

    @Override
    @Test
    public void required_spec1_4_getReturnsLatestValueOrNull() {
        Backend backend = openFresh();
        assertValue(null, backend, KS, text("k"), "get of a key never written");
        put(backend, KS, text("k"), text("v1"));
        put(backend, KS, text("k"), text("v2"));
        assertValue(text("v2"), backend, KS, text("k"), "get after two puts");
        assertValue(null, backend, OTHER_KS, text("k"), "get of the same key in the other keyspace");
        backend.write(new WriteBatch().delete(KS, text("k")), Durability.NOT_SYNCED);
        assertValue(null, backend, KS, text("k"), "get after delete");
        backend.write(new WriteBatch().delete(KS, text("never-there")), Durability.NOT_SYNCED);
        assertValue(null, backend, KS, text("never-there"), "get after deleting an absent key");
    }

    @Override
    @Test
    public void required_spec1_5_arraysAreCopiedInAndOut() {
        Backend backend = openFresh();
        byte[] key = text("key");
        byte[] value = text("value");
        backend.write(new WriteBatch().put(KS, key, value), Durability.NOT_SYNCED);
        key[0] = 'X';
        value[0] = 'X';
        assertValue(text("value"), backend, KS, text("key"),
                "get after the caller changed the key and value arrays of a batch whose write had returned (the backend must not keep them)");
        assertValue(null, backend, KS, text("Xey"), "get of the changed key array");
        byte[] returned = backend.get(KS, text("key"));
        returned[0] = 'Y';
        assertValue(text("value"), backend, KS, text("key"), "get after the caller changed a returned array");
        KeyValuePair scanned = backend.scan(KS, null, null, ScanOrder.ASCENDING, 0).get(0);
        scanned.key()[0] = 'Z';
        scanned.value()[0] = 'Z';
        assertKeys(List.of(text("key")), backend.scan(KS, null, null, ScanOrder.ASCENDING, 0),
                "a scan after the caller changed the arrays of an earlier scan");
        assertValue(text("value"), backend, KS, text("key"), "get after the caller changed arrays a scan returned");
    }

    @Override
    @Test
    public void required_spec1_6_emptyAndLargeValuesRoundTrip() {
        Backend backend = openFresh();
        byte[] large = new byte[1 << 20];
        new Random(16).nextBytes(large);
        put(backend, KS, text("empty"), bytes());
        put(backend, KS, text("large"), large);
        byte[] empty = backend.get(KS, text("empty"));
        assertNotNull(empty, subject() + ": get of a key stored with an empty value returned null; expected an empty array (present, not absent)");
        assertEquals(0, empty.length, subject() + ": get of a key stored with an empty value");
        assertValue(large, backend, KS, text("large"), "get of a 1 MiB value");
        assertEquals(2, backend.scan(KS, null, null, ScanOrder.ASCENDING, 0).size(),
                subject() + ": a full scan must list the key with the empty value too");
    }

    // ---------------------------------------------------------------- spec 2: ranges and limits

    private static final List<String> RANGE_KEYS = List.of("a", "b", "bb", "c", "d", "e");

    private Backend openWithRangeKeys() {
        Backend backend = openFresh();
        putEach(backend, KS, shuffled(RANGE_KEYS.stream().map(StorageVerification::text).toList(), 2));
        put(backend, OTHER_KS, text("b"), text("other keyspace"));
        return backend;
    }

    @Override
    @Test
    public void required_spec2_1_ascendingScanIsHalfOpen() {
        Backend backend = openWithRangeKeys();
        assertScan(backend, "b", "d", ScanOrder.ASCENDING, 0, "b", "bb", "c");
        assertScan(backend, "ba", "cz", ScanOrder.ASCENDING, 0, "bb", "c");
        assertScan(backend, "a", "b", ScanOrder.ASCENDING, 0, "a");
        assertScan(backend, "bb", "bba", ScanOrder.ASCENDING, 0, "bb");
    }

    @Override
    @Test
    public void required_spec2_2_descendingScanStartsBelowEnd() {
        Backend backend = openWithRangeKeys();
        assertScan(backend, "a", "c", ScanOrder.DESCENDING, 0, "bb", "b", "a");
        assertScan(backend, "b", "d", ScanOrder.DESCENDING, 0, "c", "bb", "b");
        assertScan(backend, "ba", "cz", ScanOrder.DESCENDING, 0, "c", "bb");
        assertScan(backend, "a", "b", ScanOrder.DESCENDING, 0, "a");
        assertScan(backend, "0", "a", ScanOrder.DESCENDING, 0);
    }

    @Override
    @Test
    public void required_spec2_3_nullBoundsAreOpen() {
        Backend backend = openWithRangeKeys();
        assertScan(backend, null, "c", ScanOrder.ASCENDING, 0, "a", "b", "bb");
        assertScan(backend, null, "c", ScanOrder.DESCENDING, 0, "bb", "b", "a");
        assertScan(backend, "c", null, ScanOrder.ASCENDING, 0, "c", "d", "e");
        assertScan(backend, "c", null, ScanOrder.DESCENDING, 0, "e", "d", "c");
        assertScan(backend, null, null, ScanOrder.ASCENDING, 0, "a", "b", "bb", "c", "d", "e");
        assertScan(backend, null, null, ScanOrder.DESCENDING, 0, "e", "d", "c", "bb", "b", "a");
    }

    @Override
    @Test
    public void required_spec2_4_emptyAndInvertedRangesAreEmpty() {
        Backend backend = openWithRangeKeys();
        for (ScanOrder order : ScanOrder.values()) {
            assertScan(backend, "c", "c", order, 0);
            assertScan(backend, "d", "b", order, 0);
            assertScan(backend, "bb", "b", order, 0);
            assertScan(backend, "f", null, order, 0);
        }
    }

    @Override
    @Test
    public void required_spec2_5_limitCapsScanInBothDirections() {
        Backend backend = openWithRangeKeys();
        assertScan(backend, null, null, ScanOrder.ASCENDING, 2, "a", "b");
        assertScan(backend, null, null, ScanOrder.DESCENDING, 2, "e", "d");
        assertScan(backend, "b", null, ScanOrder.ASCENDING, 3, "b", "bb", "c");
        assertScan(backend, "a", "c", ScanOrder.DESCENDING, 2, "bb", "b");
        assertScan(backend, "b", "d", ScanOrder.ASCENDING, 1, "b");
        assertScan(backend, "b", "d", ScanOrder.DESCENDING, 1, "c");
        assertScan(backend, null, null, ScanOrder.ASCENDING, 100, "a", "b", "bb", "c", "d", "e");
        assertScan(backend, null, null, ScanOrder.DESCENDING, 0, "e", "d", "c", "bb", "b", "a");
    }

    @Override
    @Test
    public void required_spec2_6_negativeLimitIsRejected() {
        Backend backend = openWithRangeKeys();
        expectThrows(IllegalArgumentException.class, "scan with limit -1 on the backend",
                () -> backend.scan(KS, null, null, ScanOrder.ASCENDING, -1, (k, v) -> true));
        try (ReadSnapshot snapshot = track(backend.snapshot())) {
            expectThrows(IllegalArgumentException.class, "scan with limit -1 on a snapshot",
                    () -> snapshot.scan(KS, null, null, ScanOrder.DESCENDING, -1, (k, v) -> true));
        }
    }

    @Override
    @Test
    public void required_spec2_7_visitorCanStopScan() {
        Backend backend = openWithRangeKeys();
        for (ScanOrder order : ScanOrder.values()) {
            List<String> seen = new ArrayList<>();
            int visited = backend.scan(KS, null, null, order, 0, (key, value) -> {
                seen.add(new String(key, StandardCharsets.UTF_8));
                return seen.size() < 2;
            });
            List<String> expected = order == ScanOrder.ASCENDING ? List.of("a", "b") : List.of("e", "d");
            assertEquals(expected, seen, subject() + ": a " + order + " scan whose visitor returns false at the second entry must stop there");
            assertEquals(2, visited, subject() + ": " + order + " scan stopped by its visitor must return the number of entries visited");
        }
    }

    // ---------------------------------------------------------------- spec 3: write batches

    @Override
    @Test
    public void required_spec3_1_batchIsAppliedWhollyAcrossKeyspaces() {
        Backend backend = openFresh();
        WriteBatch batch = new WriteBatch();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String keyspace = i % 2 == 0 ? KS : OTHER_KS;
            batch.put(keyspace, text("k" + i), text("v" + i));
            written.add(keyspace + ":k" + i);
        }
        backend.write(batch, Durability.SYNCED);
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String keyspace = i % 2 == 0 ? KS : OTHER_KS;
            if (!Arrays.equals(text("v" + i), backend.get(keyspace, text("k" + i)))) {
                missing.add(keyspace + ":k" + i);
            }
        }
        if (!missing.isEmpty()) {
            fail(subject() + ": a batch of 10 puts across keyspaces '" + KS + "' and '" + OTHER_KS
                    + "' returned from write(SYNCED), but " + missing.size() + " of its puts are not visible: " + missing
                    + "; a batch must be applied whole (written: " + written + ")");
        }
    }

    @Override
    @Test
    public void required_spec3_2_operationsApplyInOrder() {
        Backend backend = openFresh();
        backend.write(new WriteBatch()
                .put(KS, text("a"), text("1")).put(KS, text("a"), text("2"))
                .put(KS, text("b"), text("1")).delete(KS, text("b"))
                .put(KS, text("c"), text("1")).deleteRange(KS, text("c"), text("d"))
                .deleteRange(KS, text("d"), text("e")).put(KS, text("d"), text("4")), Durability.SYNCED);
        Map<String, String> expected = new TreeMap<>(Map.of("a", "2", "d", "4"));
        assertEquals(expected, asStrings(backend.scan(KS, null, null, ScanOrder.ASCENDING, 0)), subject()
                + ": state after one batch [put a=1, put a=2, put b=1, delete b, put c=1, deleteRange [c,d), deleteRange [d,e), put d=4]"
                + " (operations must apply in the order they were added)");
    }

    @Override
    @Test
    public void required_spec3_3_deleteRangeIsHalfOpenAndStaysInItsKeyspace() {
        Backend backend = openWithRangeKeys();
        putEach(backend, OTHER_KS, RANGE_KEYS.stream().map(StorageVerification::text).toList());
        backend.write(new WriteBatch().deleteRange(KS, text("b"), text("d")), Durability.NOT_SYNCED);
        assertScan(backend, null, null, ScanOrder.ASCENDING, 0, "a", "d", "e");
        backend.write(new WriteBatch().deleteRange(KS, null, text("d")), Durability.NOT_SYNCED);
        assertScan(backend, null, null, ScanOrder.ASCENDING, 0, "d", "e");
        backend.write(new WriteBatch().deleteRange(KS, text("e"), null), Durability.NOT_SYNCED);
        assertScan(backend, null, null, ScanOrder.ASCENDING, 0, "d");
        backend.write(new WriteBatch().deleteRange(KS, text("z"), text("a")), Durability.NOT_SYNCED);
        assertScan(backend, null, null, ScanOrder.ASCENDING, 0, "d");
        assertEquals(RANGE_KEYS, List.copyOf(asStrings(backend.scan(OTHER_KS, null, null, ScanOrder.ASCENDING, 0)).keySet()),
                subject() + ": keys of keyspace '" + OTHER_KS + "' after deleteRange calls on '" + KS + "' only");
    }

    @Override
    @Test
    public void required_spec3_4_emptyBatchIsAccepted() {
        Backend backend = openFresh();
        put(backend, KS, text("k"), text("v"));
        backend.write(new WriteBatch(), Durability.SYNCED);
        backend.write(new WriteBatch(), Durability.NOT_SYNCED);
        assertValue(text("v"), backend, KS, text("k"), "get after writing empty batches");
    }

    @Override
    @Test
    public void required_spec3_5_batchWithUnknownKeyspaceWritesNothing() {
        Backend backend = openFresh();
        WriteBatch batch = new WriteBatch().put(KS, text("before"), text("1")).put(UNKNOWN_KS, text("k"), text("2"))
                .put(OTHER_KS, text("after"), text("3"));
        IllegalArgumentException thrown = expectThrows(IllegalArgumentException.class,
                "write of a batch naming keyspace '" + UNKNOWN_KS + "', which the backend was not opened with",
                () -> backend.write(batch, Durability.SYNCED));
        assertMentions(thrown, UNKNOWN_KS, "the exception for an unknown keyspace in a batch");
        assertValue(null, backend, KS, text("before"), "get of a key put before the unknown keyspace in a rejected batch (nothing may be written)");
        assertValue(null, backend, OTHER_KS, text("after"), "get of a key put after the unknown keyspace in a rejected batch");
    }

    // ---------------------------------------------------------------- spec 4: snapshots

    @Override
    @Test
    public void required_spec4_1_snapshotIgnoresLaterWrites() {
        Backend backend = openFresh();
        putEach(backend, KS, List.of(text("a"), text("b"), text("c")));
        ReadSnapshot snapshot = track(backend.snapshot());
        put(backend, KS, text("a"), text("changed"));
        backend.write(new WriteBatch().delete(KS, text("b")), Durability.SYNCED);
        backend.write(new WriteBatch().deleteRange(KS, text("c"), null).put(KS, text("d"), text("new")), Durability.NOT_SYNCED);
        put(backend, OTHER_KS, text("z"), text("new"));
        String context = " read from a snapshot taken before later writes changed a, deleted b, deleted [c, end), put d and put "
                + OTHER_KS + ":z";
        assertValue(text("v"), snapshot, KS, text("a"), "get of a" + context);
        assertValue(text("v"), snapshot, KS, text("b"), "get of b" + context);
        assertValue(text("v"), snapshot, KS, text("c"), "get of c" + context);
        assertValue(null, snapshot, KS, text("d"), "get of d" + context);
        assertValue(null, snapshot, OTHER_KS, text("z"), "get of " + OTHER_KS + ":z" + context);
        assertEquals(Map.of("a", "v", "b", "v", "c", "v"), asStrings(snapshot.scan(KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": ascending scan" + context);
        assertEquals(List.of("c", "b", "a"), List.copyOf(asStringsInOrder(snapshot.scan(KS, null, null, ScanOrder.DESCENDING, 0))),
                subject() + ": descending scan" + context);
        assertEquals(Map.of("a", "changed", "d", "new"), asStrings(backend.scan(KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": the backend itself must see the later writes");
    }

    @Override
    @Test
    public void stochastic_spec4_2_snapshotsAreConsistentUnderConcurrentWrites() throws Exception {
        Backend backend = openFresh();
        int keys = 6;
        backend.write(uniformBatch(0, keys), Durability.NOT_SYNCED);
        AtomicLong acknowledged = new AtomicLong();
        try (Writer writer = new Writer(() -> {
            long seq = acknowledged.get() + 1;
            backend.write(uniformBatch(seq, keys), Durability.NOT_SYNCED);
            acknowledged.set(seq);
        })) {
            writer.awaitFirstWrite(subject());
            long deadline = System.nanoTime() + stressDuration().toNanos();
            int snapshots = 0;
            while (System.nanoTime() < deadline || snapshots < 20) {
                long before = acknowledged.get();
                try (ReadSnapshot snapshot = backend.snapshot()) {
                    long seen = checkUniform(snapshot, keys, "a snapshot taken while another thread writes batches");
                    if (seen < before) {
                        fail(subject() + ": a snapshot taken after write of batch " + before + " returned shows batch " + seen
                                + "; a snapshot must include every batch written before it was taken");
                    }
                    Thread.onSpinWait();
                    long again = checkUniform(snapshot, keys, "the same snapshot read a second time");
                    assertEquals(seen, again, subject() + ": two reads of one snapshot, with writes going on in between, saw different batches");
                }
                snapshots++;
            }
            writer.checkNoFailure(subject());
        }
    }

    @Override
    @Test
    public void required_spec4_3_closedSnapshotRejectsReads() {
        Backend backend = openFresh();
        put(backend, KS, text("k"), text("v"));
        ReadSnapshot snapshot = backend.snapshot();
        snapshot.close();
        expectStorageException(StorageException.Reason.CLOSED, "get on a closed snapshot", () -> snapshot.get(KS, text("k")));
        expectStorageException(StorageException.Reason.CLOSED, "scan on a closed snapshot",
                () -> snapshot.scan(KS, null, null, ScanOrder.ASCENDING, 0, (k, v) -> true));
        expectNothingThrown("closing a snapshot twice", snapshot::close);
        assertValue(text("v"), backend, KS, text("k"), "get on the backend after one of its snapshots was closed");
    }

    @Override
    @Test
    public void required_spec4_4_closingBackendClosesSnapshots() {
        Backend backend = openFresh();
        put(backend, KS, text("k"), text("v"));
        ReadSnapshot snapshot = backend.snapshot();
        backend.close();
        expectStorageException(StorageException.Reason.CLOSED, "get on a snapshot whose backend was closed",
                () -> snapshot.get(KS, text("k")));
        expectStorageException(StorageException.Reason.CLOSED, "scan on a snapshot whose backend was closed",
                () -> snapshot.scan(KS, null, null, ScanOrder.DESCENDING, 0, (k, v) -> true));
        expectNothingThrown("closing a snapshot after its backend was closed", snapshot::close);
    }

    // ---------------------------------------------------------------- spec 5: durability and lifecycle

    @Override
    @Test
    public void required_spec5_1_writesSurviveCloseAndReopen() {
        Path directory = newDirectory();
        Backend backend = open(directory, KS, OTHER_KS);
        backend.write(new WriteBatch().put(KS, text("synced"), text("1")).put(OTHER_KS, text("synced"), text("2")), Durability.SYNCED);
        backend.write(new WriteBatch().put(KS, text("not-synced"), text("3")).put(KS, text("gone"), text("x"))
                .put(KS, text("range-1"), text("x")).put(KS, text("range-2"), text("x")), Durability.NOT_SYNCED);
        backend.write(new WriteBatch().delete(KS, text("gone")), Durability.NOT_SYNCED);
        backend.write(new WriteBatch().deleteRange(KS, text("range-"), text("range-z")), Durability.NOT_SYNCED);
        put(backend, KS, bytes(), text("empty key"));
        put(backend, KS, bytes(0xFF, 0xFF), text("ff key"));
        Map<String, String> expectedKs = new TreeMap<>(Map.of(hex(bytes()), "empty key", hex(text("synced")), "1",
                hex(text("not-synced")), "3", hex(bytes(0xFF, 0xFF)), "ff key"));
        backend.close();
        Backend reopened = open(directory, KS, OTHER_KS);
        assertEquals(expectedKs, byHexKey(reopened.scan(KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": keyspace '" + KS + "' after close and reopen (SYNCED and NOT_SYNCED writes, deletes and a deleteRange must all persist)");
        assertEquals(Map.of("synced", "2"), asStrings(reopened.scan(OTHER_KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": keyspace '" + OTHER_KS + "' after close and reopen");
    }

    @Override
    @Test
    public void required_spec5_2_acknowledgedSyncedBatchesSurviveSigkill() throws Exception {
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        int killAfter = 3 + new Random(seed).nextInt(40);
        String reproduce = " (killed after " + killAfter + " acknowledgements; reproduce with -D" + SEED_PROPERTY + "=" + seed + ")";
        Path directory = newDirectory();
        long lastAck = 0;
        try (ChildJvm child = ChildJvm.start(childJvmOptions(), workDir.resolve("crash-writer.stderr"),
                "write", provider.id(), directory.toString())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lastAck < killAfter) {
                String line = child.nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (line == null) {
                    fail(subject() + ": the crash writer child JVM stopped or stalled after " + lastAck
                            + " acknowledged batches, before the kill point" + reproduce + child.diagnostics());
                }
                lastAck = Math.max(lastAck, parseAck(line, lastAck, child));
            }
            child.kill();
            for (String line : child.drain(Duration.ofSeconds(10))) {
                lastAck = Math.max(lastAck, parseAck(line, lastAck, child));
            }
        }
        Backend reopened = open(directory, KS, OTHER_KS);
        TreeMap<Long, Integer> keysPerBatch = new TreeMap<>();
        for (String keyspace : List.of(KS, OTHER_KS)) {
            for (KeyValuePair entry : reopened.scan(keyspace, null, null, ScanOrder.ASCENDING, 0)) {
                long[] parsed = CrashWriter.parseKey(entry.key());
                if (parsed == null) {
                    fail(subject() + ": after SIGKILL the store holds key " + hex(entry.key()) + " in '" + keyspace
                            + "', which the crash writer never wrote" + reproduce);
                }
                if (!Arrays.equals(CrashWriter.value(parsed[0], (int) parsed[1]), entry.value())) {
                    fail(subject() + ": after SIGKILL, the value of " + keyspace + ":" + text(entry.key())
                            + " is not the value batch " + parsed[0] + " wrote" + reproduce);
                }
                keysPerBatch.merge(parsed[0], 1, Integer::sum);
            }
        }
        int wholeBatch = 2 * CrashWriter.KEYS_PER_KEYSPACE;
        for (long n = 1; n <= lastAck; n++) {
            if (!keysPerBatch.containsKey(n)) {
                fail(subject() + ": after SIGKILL and reopen, acknowledged batch " + n + " of " + lastAck
                        + " is missing; a write(SYNCED) that returned must survive a crash" + reproduce);
            }
        }
        long expectedNext = 1;
        for (Map.Entry<Long, Integer> batch : keysPerBatch.entrySet()) {
            if (batch.getValue() != wholeBatch) {
                fail(subject() + ": after SIGKILL and reopen, batch " + batch.getKey() + " is half-present: " + batch.getValue()
                        + " of its " + wholeBatch + " keys across '" + KS + "' and '" + OTHER_KS + "' (last acknowledged batch: "
                        + lastAck + "); a batch must survive whole or not at all" + reproduce);
            }
            if (batch.getKey() != expectedNext) {
                fail(subject() + ": after SIGKILL and reopen, batch " + batch.getKey() + " is present but batch " + expectedNext
                        + " is not; batches must never be lost out of order" + reproduce);
            }
            expectedNext++;
        }
    }

    private long parseAck(String line, long previous, ChildJvm child) {
        if (line.startsWith("error ")) {
            fail(subject() + ": the crash writer child JVM could not open the backend: " + line.substring(6) + child.diagnostics());
        }
        if (!line.startsWith("ack ")) {
            return previous; // a library's own chatter on standard output
        }
        return Long.parseLong(line.substring(4).trim());
    }

    @Override
    @Test
    public void required_spec5_3_unlistedKeyspacesStayOnDisk() {
        Path directory = newDirectory();
        Backend both = open(directory, KS, OTHER_KS);
        put(both, KS, text("k"), text("first"));
        put(both, OTHER_KS, text("k"), text("kept"));
        both.close();
        Backend one = open(directory, KS);
        assertEquals(Set.of(KS), one.keyspaces(), subject() + ": keyspaces() of a backend opened with only '" + KS + "'");
        IllegalArgumentException thrown = expectThrows(IllegalArgumentException.class,
                "get on keyspace '" + OTHER_KS + "', which exists on disk but was not listed when opening",
                () -> one.get(OTHER_KS, text("k")));
        assertMentions(thrown, OTHER_KS, "the exception for an unlisted keyspace");
        put(one, KS, text("k"), text("second"));
        one.close();
        Backend again = open(directory, KS, OTHER_KS);
        assertValue(text("kept"), again, OTHER_KS, text("k"),
                "get on keyspace '" + OTHER_KS + "' after a session that did not list it (it must stay on disk untouched)");
        assertValue(text("second"), again, KS, text("k"), "get on keyspace '" + KS + "' written by the session that listed only it");
    }

    @Override
    @Test
    public void required_spec5_4_callsAfterCloseFailWithClosed() {
        Path directory = newDirectory();
        Backend backend = open(directory, KS, OTHER_KS);
        put(backend, KS, text("k"), text("v"));
        backend.close();
        expectNothingThrown("closing a backend twice", backend::close);
        expectStorageException(StorageException.Reason.CLOSED, "get after close", () -> backend.get(KS, text("k")));
        expectStorageException(StorageException.Reason.CLOSED, "scan after close",
                () -> backend.scan(KS, null, null, ScanOrder.ASCENDING, 0, (k, v) -> true));
        expectStorageException(StorageException.Reason.CLOSED, "write after close",
                () -> backend.write(new WriteBatch().put(KS, text("late"), text("x")), Durability.SYNCED));
        expectStorageException(StorageException.Reason.CLOSED, "snapshot after close", backend::snapshot);
        expectStorageException(StorageException.Reason.CLOSED, "flush after close", backend::flush);
        expectStorageException(StorageException.Reason.CLOSED, "stats after close", backend::stats);
        expectStorageException(StorageException.Reason.CLOSED, "compact after close", backend::compact);
        expectStorageException(StorageException.Reason.CLOSED, "checkpoint after close",
                () -> backend.checkpoint(workDir.resolve("checkpoint-after-close")));
        Backend reopened = open(directory, KS, OTHER_KS);
        assertValue(null, reopened, KS, text("late"), "get of a key whose write was attempted after close");
        assertValue(text("v"), reopened, KS, text("k"), "get after reopening");
    }

    // ---------------------------------------------------------------- spec 6: checkpoints

    @Override
    @Test
    public void required_spec6_1_checkpointOpensAsIndependentCopy() throws IOException {
        Backend backend = openFresh();
        put(backend, KS, text("a"), text("1"));
        put(backend, OTHER_KS, text("z"), text("1"));
        Path target = workDir.resolve("checkpoint");
        backend.checkpoint(target);
        put(backend, KS, text("a"), text("2"));
        put(backend, KS, text("b"), text("1"));
        Properties marker = readMarker(target);
        assertEquals(provider.id(), marker.getProperty("provider"), subject() + ": the checkpoint in " + target + " must carry a "
                + BackendDirectory.MARKER_FILE + " marker naming the provider (BackendDirectory.writeMarker), so that no other provider takes it");
        Backend copy = open(target, KS, OTHER_KS);
        assertEquals(Map.of("a", "1"), asStrings(copy.scan(KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": keyspace '" + KS + "' of a checkpoint, opened after the original was written to again");
        assertEquals(Map.of("z", "1"), asStrings(copy.scan(OTHER_KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": keyspace '" + OTHER_KS + "' of a checkpoint");
        put(copy, KS, text("c"), text("copy only"));
        assertValue(null, backend, KS, text("c"), "get on the original of a key written to its opened checkpoint");
        assertValue(text("2"), backend, KS, text("a"), "get on the original after its checkpoint was opened and written");
    }

    @Override
    @Test
    public void required_spec6_2_checkpointIntoExistingTargetFails() throws IOException {
        Backend backend = openFresh();
        put(backend, KS, text("a"), text("1"));
        Path target = workDir.resolve("occupied");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "someone else's file");
        Map<String, String> before = tree(target);
        expectStorageException(StorageException.Reason.IO, "checkpoint into existing directory " + target,
                () -> backend.checkpoint(target));
        assertEquals(before, tree(target), subject() + ": files of " + target + " after a refused checkpoint into it (they must be untouched)");
        assertValue(text("1"), backend, KS, text("a"), "get after a refused checkpoint");
    }

    @Override
    @Test
    public void stochastic_spec6_3_checkpointUnderWritesHoldsWholeBatches() throws Exception {
        Backend backend = openFresh();
        int keys = 4;
        backend.write(uniformBatch(0, keys), Durability.NOT_SYNCED);
        AtomicLong acknowledged = new AtomicLong();
        List<Path> checkpoints = new ArrayList<>();
        List<Long> acknowledgedBefore = new ArrayList<>();
        try (Writer writer = new Writer(() -> {
            long seq = acknowledged.get() + 1;
            backend.write(uniformBatch(seq, keys), Durability.NOT_SYNCED);
            acknowledged.set(seq);
        })) {
            writer.awaitFirstWrite(subject());
            long deadline = System.nanoTime() + stressDuration().toNanos();
            while (checkpoints.size() < 2 || (System.nanoTime() < deadline && checkpoints.size() < 10)) {
                Path target = workDir.resolve("checkpoint-" + checkpoints.size());
                acknowledgedBefore.add(acknowledged.get());
                backend.checkpoint(target);
                checkpoints.add(target);
            }
            writer.checkNoFailure(subject());
        }
        for (int i = 0; i < checkpoints.size(); i++) {
            Backend copy = open(checkpoints.get(i), KS, OTHER_KS);
            long seen = checkUniform(copy, keys, "checkpoint " + checkpoints.get(i).getFileName() + " taken while another thread writes batches");
            if (seen < acknowledgedBefore.get(i)) {
                fail(subject() + ": checkpoint " + i + ", started after batch " + acknowledgedBefore.get(i) + " was written, holds batch " + seen);
            }
            copy.close();
        }
    }

    // ---------------------------------------------------------------- spec 7: concurrency

    @Override
    @Test
    public void stochastic_spec7_1_readersSeeEveryReturnedWrite() throws Exception {
        Backend backend = openFresh();
        AtomicLong acknowledged = new AtomicLong();
        byte[] counterKey = text("counter");
        try (Writer writer = new Writer(() -> {
            long seq = acknowledged.get() + 1;
            backend.write(new WriteBatch().put(KS, counterKey, longBytes(seq)).put(OTHER_KS, longBytes(seq), longBytes(seq)),
                    Durability.NOT_SYNCED);
            acknowledged.set(seq);
        })) {
            writer.awaitFirstWrite(subject());
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            long deadline = System.nanoTime() + stressDuration().toNanos();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread reader = new Thread(() -> {
                    long lastSeen = 0;
                    while (System.nanoTime() < deadline && problems.isEmpty()) {
                        try {
                            long before = acknowledged.get();
                            byte[] value = backend.get(KS, counterKey);
                            long seen = value == null ? 0 : ByteBuffer.wrap(value).getLong();
                            if (seen < before) {
                                problems.add("get of the counter returned batch " + seen + " after the write of batch " + before + " had returned");
                            } else if (seen < lastSeen) {
                                problems.add("get of the counter went back from batch " + lastSeen + " to " + seen);
                            }
                            lastSeen = Math.max(lastSeen, seen);
                            if (before > 0 && backend.get(OTHER_KS, longBytes(before)) == null) {
                                problems.add("key " + before + " of '" + OTHER_KS + "', written by a batch whose write had returned, is missing");
                            }
                            List<KeyValuePair> last = backend.scan(OTHER_KS, null, null, ScanOrder.DESCENDING, 1);
                            long greatest = last.isEmpty() ? 0 : ByteBuffer.wrap(last.get(0).key()).getLong();
                            if (greatest < before) {
                                problems.add("a descending scan with limit 1 of '" + OTHER_KS + "' returned key " + greatest
                                        + " after the write of key " + before + " had returned");
                            }
                            reads.incrementAndGet();
                        } catch (RuntimeException e) {
                            problems.add("a concurrent read threw " + e);
                        }
                    }
                }, "storage-verification-reader-" + r);
                reader.start();
                readers.add(reader);
            }
            for (Thread reader : readers) {
                reader.join();
            }
            writer.checkNoFailure(subject());
            if (!problems.isEmpty()) {
                fail(subject() + ": with 2 reader threads and 1 writer thread: " + problems.peek() + " (" + problems.size() + " problems in "
                        + reads.get() + " reads, " + acknowledged.get() + " batches)");
            }
            assertTrue(reads.get() > 0 && acknowledged.get() > 0, subject() + ": the readers and the writer made no progress in " + stressDuration());
        }
    }

    @Override
    @Test
    public void stochastic_spec7_2_concurrentWritersLoseNothing() throws Exception {
        Backend backend = openFresh();
        int threads = 3;
        long deadline = System.nanoTime() + stressDuration().toNanos();
        int[] written = new int[threads];
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < 100_000 && (i < 20 || System.nanoTime() < deadline); i++) {
                        String key = "w" + id + "-" + String.format("%06d", i);
                        backend.write(new WriteBatch().put(KS, text(key), text(key)).put(OTHER_KS, text(key), text(key)),
                                i % 10 == 0 ? Durability.SYNCED : Durability.NOT_SYNCED);
                        written[id] = i + 1;
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "storage-verification-writer-" + t);
            thread.start();
            writers.add(thread);
        }
        for (Thread thread : writers) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            fail(subject() + ": a write from one of " + threads + " concurrent writer threads threw " + failures.peek(), failures.peek());
        }
        int total = 0;
        for (int count : written) {
            total += count;
        }
        for (String keyspace : List.of(KS, OTHER_KS)) {
            List<KeyValuePair> all = backend.scan(keyspace, null, null, ScanOrder.ASCENDING, 0);
            assertEquals(total, all.size(), subject() + ": keys in '" + keyspace + "' after " + threads
                    + " threads wrote " + Arrays.toString(written) + " batches of distinct keys concurrently");
            for (KeyValuePair entry : all) {
                assertArrayEquals(entry.key(), entry.value(), subject() + ": value of " + text(entry.key()) + " after concurrent writes");
            }
        }
    }

    // ---------------------------------------------------------------- spec 8: stats and compaction

    @Override
    @Test
    public void required_spec8_1_statsCoverOpenedKeyspaces() {
        Backend backend = openFresh();
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 200; i++) {
            batch.put(KS, text(String.format("key-%04d", i)), new byte[100]);
        }
        backend.write(batch, Durability.SYNCED);
        backend.flush();
        BackendStats stats = backend.stats();
        assertNotNull(stats, subject() + ": stats() returned null");
        for (String keyspace : List.of(KS, OTHER_KS)) {
            Long estimate = stats.estimatedKeys().get(keyspace);
            assertNotNull(estimate, subject() + ": stats().estimatedKeys() has no entry for opened keyspace '" + keyspace + "': " + stats);
            assertTrue(estimate >= 0, subject() + ": stats().estimatedKeys() of '" + keyspace + "' is negative: " + stats);
        }
        assertTrue(stats.sizeOnDiskBytes() > 0,
                subject() + ": stats().sizeOnDiskBytes() after 20 KB were written and flushed is " + stats.sizeOnDiskBytes() + "; expected > 0");
    }

    @Override
    @Test
    public void required_spec8_2_compactionKeepsLiveData() {
        Path directory = newDirectory();
        Backend backend = open(directory, KS, OTHER_KS);
        for (int round = 0; round < 3; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 300; i++) {
                batch.put(KS, text(String.format("key-%04d", i)), text("round " + round));
            }
            backend.write(batch, Durability.NOT_SYNCED);
        }
        backend.write(new WriteBatch().deleteRange(KS, text("key-0100"), text("key-0200")).delete(KS, text("key-0000")), Durability.NOT_SYNCED);
        put(backend, OTHER_KS, text("other"), text("kept"));
        Map<String, String> expected = asStrings(backend.scan(KS, null, null, ScanOrder.ASCENDING, 0));
        assertEquals(199, expected.size(), subject() + ": keys before compaction");
        backend.compact();
        assertEquals(expected, asStrings(backend.scan(KS, null, null, ScanOrder.ASCENDING, 0)), subject() + ": keyspace '" + KS + "' after compact()");
        assertValue(text("kept"), backend, OTHER_KS, text("other"), "get on '" + OTHER_KS + "' after compact()");
        backend.close();
        Backend reopened = open(directory, KS, OTHER_KS);
        assertEquals(expected, asStrings(reopened.scan(KS, null, null, ScanOrder.ASCENDING, 0)),
                subject() + ": keyspace '" + KS + "' after compact(), close and reopen");
    }

    @Override
    @Test
    public void required_spec8_3_readsAndWritesGoOnDuringCompaction() throws Exception {
        Backend backend = openFresh();
        // garbage for the compaction to reclaim, then live entries (one per batch: this rule is not about atomicity)
        for (int round = 0; round < 4; round++) {
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 2000; i++) {
                batch.put(KS, text(String.format("garbage-%05d", i)), new byte[200]);
            }
            backend.write(batch, Durability.NOT_SYNCED);
        }
        backend.write(new WriteBatch().deleteRange(KS, text("garbage-"), text("garbage.")), Durability.NOT_SYNCED);
        for (int i = 0; i < 1000; i++) {
            backend.write(new WriteBatch().put(KS, text(String.format("old-%05d", i)), new byte[50]), Durability.NOT_SYNCED);
        }
        java.util.concurrent.CompletableFuture<Void> compaction = java.util.concurrent.CompletableFuture.runAsync(backend::compact,
                runnable -> Thread.ofPlatform().name("compaction under test").start(runnable));
        int written = 0;
        // at least 50 writes, and on until the compaction ends (bounded: 20,000)
        while (written < 50 || (!compaction.isDone() && written < 20_000)) {
            byte[] key = text(String.format("new-%05d", written));
            backend.write(new WriteBatch().put(KS, key, key), written % 10 == 0 ? Durability.SYNCED : Durability.NOT_SYNCED);
            assertValue(key, backend, KS, key, "get of a write made while compact() ran");
            written++;
        }
        compaction.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(written, backend.scan(KS, text("new-"), text("new."), ScanOrder.ASCENDING, 0).size(),
                subject() + ": writes made while compact() ran, after it returned");
        assertEquals(1000, backend.scan(KS, text("old-"), text("old."), ScanOrder.ASCENDING, 0).size(),
                subject() + ": live entries written before compact()");
    }

    // ---------------------------------------------------------------- spec 9: bad input

    @Override
    @Test
    public void required_spec9_1_nullArgumentsThrowNpe() {
        Backend backend = openFresh();
        put(backend, KS, text("k"), text("v"));
        expectThrows(NullPointerException.class, "open(null)", () -> provider.open(null));
        expectThrows(NullPointerException.class, "get(null keyspace, key)", () -> backend.get(null, text("k")));
        expectThrows(NullPointerException.class, "get(keyspace, null key)", () -> backend.get(KS, null));
        expectThrows(NullPointerException.class, "scan(null keyspace, ...)",
                () -> backend.scan(null, null, null, ScanOrder.ASCENDING, 0, (k, v) -> true));
        expectThrows(NullPointerException.class, "scan(..., null visitor)",
                () -> backend.scan(KS, null, null, ScanOrder.ASCENDING, 0, (io.cairn.spi.storage.EntryVisitor) null));
        expectThrows(NullPointerException.class, "write(null batch, SYNCED)", () -> backend.write(null, Durability.SYNCED));
        expectThrows(NullPointerException.class, "write(batch, null durability)",
                () -> backend.write(new WriteBatch().put(KS, text("null-durability"), text("x")), null));
        try (ReadSnapshot snapshot = track(backend.snapshot())) {
            expectThrows(NullPointerException.class, "snapshot get(null keyspace, key)", () -> snapshot.get(null, text("k")));
            expectThrows(NullPointerException.class, "snapshot get(keyspace, null key)", () -> snapshot.get(KS, null));
        }
        assertValue(null, backend, KS, text("null-durability"), "get of a key whose write(batch, null) was rejected");
        assertValue(text("v"), backend, KS, text("k"), "get after the rejected calls");
    }

    @Override
    @Test
    public void required_spec9_2_unknownKeyspaceThrowsIae() {
        Backend backend = openFresh();
        assertMentions(expectThrows(IllegalArgumentException.class, "get on unknown keyspace '" + UNKNOWN_KS + "'",
                () -> backend.get(UNKNOWN_KS, text("k"))), UNKNOWN_KS, "the exception of get on an unknown keyspace");
        assertMentions(expectThrows(IllegalArgumentException.class, "scan on unknown keyspace '" + UNKNOWN_KS + "'",
                () -> backend.scan(UNKNOWN_KS, null, null, ScanOrder.ASCENDING, 0, (k, v) -> true)), UNKNOWN_KS,
                "the exception of scan on an unknown keyspace");
        try (ReadSnapshot snapshot = track(backend.snapshot())) {
            assertMentions(expectThrows(IllegalArgumentException.class, "snapshot get on unknown keyspace '" + UNKNOWN_KS + "'",
                    () -> snapshot.get(UNKNOWN_KS, text("k"))), UNKNOWN_KS, "the exception of a snapshot get on an unknown keyspace");
        }
        expectThrows(IllegalArgumentException.class, "write of a batch with a put to unknown keyspace '" + UNKNOWN_KS + "'",
                () -> backend.write(new WriteBatch().put(UNKNOWN_KS, text("k"), text("v")), Durability.NOT_SYNCED));
        expectThrows(IllegalArgumentException.class, "write of a batch with a deleteRange on unknown keyspace '" + UNKNOWN_KS + "'",
                () -> backend.write(new WriteBatch().deleteRange(UNKNOWN_KS, null, null), Durability.NOT_SYNCED));
    }

    @Override
    @Test
    public void required_spec9_3_directoryOpenInThisProcessIsLocked() {
        Path directory = newDirectory();
        Backend holder = open(directory, KS, OTHER_KS);
        put(holder, KS, text("k"), text("v"));
        StorageException thrown = expectStorageException(StorageException.Reason.LOCKED,
                "a second open of " + directory + " while a backend of this process has it open", () -> open(directory, KS, OTHER_KS));
        assertMentions(thrown, directory.getFileName().toString(), "the LOCKED exception");
        assertValue(text("v"), holder, KS, text("k"), "get on the first backend after a second open of its directory was refused");
        put(holder, KS, text("k2"), text("v2"));
        holder.close();
        Backend next = open(directory, KS, OTHER_KS);
        assertValue(text("v2"), next, KS, text("k2"), "get after the holder closed and the directory was opened again");
    }

    @Override
    @Test
    public void required_spec9_4_directoryOpenInAnotherProcessIsLocked() throws Exception {
        Path directory = newDirectory();
        try (ChildJvm child = ChildJvm.start(childJvmOptions(), workDir.resolve("holder.stderr"), "hold", provider.id(), directory.toString())) {
            String line;
            do { // skip a library's own chatter on standard output
                line = child.nextLine(Duration.ofSeconds(60));
            } while (line != null && !line.equals("held") && !line.startsWith("error "));
            if (line == null || !line.equals("held")) {
                fail(subject() + ": the child JVM did not report holding " + directory + " (it said: " + line + ")" + child.diagnostics());
            }
            StorageException thrown = expectStorageException(StorageException.Reason.LOCKED,
                    "open of " + directory + " while another process has it open", () -> open(directory, KS, OTHER_KS));
            assertMentions(thrown, directory.getFileName().toString(), "the LOCKED exception");
            child.closeInput();
            if (!child.waitFor(Duration.ofSeconds(30)) || child.exitValue() != 0) {
                fail(subject() + ": the holding child JVM did not close its backend and exit cleanly" + child.diagnostics());
            }
        }
        Backend after = open(directory, KS, OTHER_KS);
        assertValue(CrashWriter.HELD_KEY, after, KS, CrashWriter.HELD_KEY,
                "get of the key the holding process wrote, after it closed the backend and exited");
    }

    @Override
    @Test
    public void required_spec9_5_unrelatedDirectoryIsForeignAndUntouched() throws IOException {
        Path directory = newDirectory();
        Files.createDirectories(directory.resolve("photos"));
        Files.writeString(directory.resolve("notes.txt"), "my notes");
        Files.write(directory.resolve("photos").resolve("cat.jpg"), new byte[] {1, 2, 3});
        Map<String, String> before = tree(directory);
        expectStorageException(StorageException.Reason.FOREIGN, "open of a non-empty directory without a "
                + BackendDirectory.MARKER_FILE + " marker", () -> open(directory, KS, OTHER_KS));
        assertEquals(before, tree(directory), subject() + ": files of an unrelated directory after a refused open (nothing may be created, changed or deleted)");
    }

    @Override
    @Test
    public void required_spec9_6_otherProvidersDirectoryIsForeignAndUntouched() throws IOException {
        Path directory = newDirectory();
        Files.createDirectories(directory);
        String otherId = provider.id().equals("other-provider") ? "another-provider" : "other-provider";
        BackendDirectory.writeMarker(directory, otherId, 1);
        Files.writeString(directory.resolve("000001.data"), "the other provider's data");
        Map<String, String> before = tree(directory);
        StorageException thrown = expectStorageException(StorageException.Reason.FOREIGN,
                "open of a directory whose marker names provider '" + otherId + "'", () -> open(directory, KS, OTHER_KS));
        assertMentions(thrown, otherId, "the FOREIGN exception for another provider's directory");
        assertEquals(before, tree(directory), subject() + ": files of another provider's directory after a refused open");
    }

    @Override
    @Test
    public void optional_spec9_7_corruptedDirectoryIsReported() throws IOException {
        Path directory = newDirectory();
        Backend backend = open(directory, KS, OTHER_KS);
        for (int i = 0; i < 100; i++) {
            put(backend, KS, text("key-" + i), text("value-" + i));
        }
        backend.flush();
        backend.close();
        corrupt(directory);
        Set<String> filesBefore = tree(directory).keySet();
        expectStorageException(StorageException.Reason.CORRUPTED, "open of a directory damaged by corrupt(Path)", () -> open(directory, KS, OTHER_KS));
        Set<String> missing = new TreeSet<>(filesBefore);
        missing.removeAll(tree(directory).keySet());
        assertTrue(missing.isEmpty(), subject() + ": opening a corrupted directory deleted " + missing + "; nothing may be repaired or deleted");
        expectStorageException(StorageException.Reason.CORRUPTED, "a second open of the corrupted directory (it must not have been silently repaired)",
                () -> open(directory, KS, OTHER_KS));
    }

    @Override
    @Test
    public void required_spec9_8_ownUnknownOptionsAreRejected() {
        String ownUnknown = provider.id() + ".no_such_option_in_the_conformance_kit";
        Map<String, String> withUnknown = new java.util.HashMap<>(options());
        withUnknown.put(ownUnknown, "1");
        BackendConfig bad = new BackendConfig(newDirectory(), Set.of(KS), withUnknown);
        assertMentions(expectThrows(IllegalArgumentException.class, "open with unknown option '" + ownUnknown + "'",
                () -> track(provider.open(bad))), ownUnknown, "the exception for an unknown option");
        Map<String, String> withForeign = new java.util.HashMap<>(options());
        withForeign.put("some-other-provider.cache_size", "1");
        BackendConfig fine = new BackendConfig(newDirectory(), Set.of(KS), withForeign);
        Backend backend = expectNothingThrown("open with another provider's option 'some-other-provider.cache_size' (it must be ignored)",
                () -> track(provider.open(fine)));
        put(backend, KS, text("k"), text("v"));
    }

    // ---------------------------------------------------------------- spec 10: discovery

    @Override
    @Test
    public void required_spec10_1_providerIsFoundByIdOnModulePath() {
        StorageProvider found = StorageProviders.byId(provider.id(), discoveredProviders());
        assertEquals(provider.getClass(), found.getClass(), subject() + ": StorageProviders.byId(\"" + provider.id()
                + "\") found " + found.getClass().getName() + ", not the class under test");
        Module module = found.getClass().getModule();
        assertTrue(module.isNamed(), subject() + ": provider class " + found.getClass().getName()
                + " is in the unnamed module: it was found on the class path, not as a module that declares"
                + " 'provides io.cairn.spi.storage.StorageProvider'");
        // The kit's own reference backend (in its tests) lives in the kit's module, which exports the kit.
        boolean kitsOwnModule = module == StorageVerification.class.getModule();
        assertTrue(kitsOwnModule || module.getDescriptor() == null || module.getDescriptor().isAutomatic()
                        || module.getDescriptor().exports().isEmpty(),
                subject() + ": plugin module " + module.getName() + " exports " + (module.getDescriptor() == null ? "?" : module.getDescriptor().exports())
                        + "; a plugin exports nothing and only provides");
    }

    @Override
    @Test
    public void required_spec10_2_unknownIdListsFoundIds() {
        String unknown = "no-such-provider-" + provider.id();
        IllegalArgumentException thrown = expectThrows(IllegalArgumentException.class,
                "StorageProviders.byId(\"" + unknown + "\")", () -> StorageProviders.byId(unknown, discoveredProviders()));
        assertMentions(thrown, unknown, "the exception for an unknown provider id");
        assertMentions(thrown, provider.id(), "the exception for an unknown provider id (it must list the ids found)");
    }

    @Override
    @Test
    public void required_spec10_3_idAndDescriptionAreWellFormed() {
        String id = provider.id();
        assertNotNull(id, "provider().id() returned null");
        assertTrue(id.matches("[a-z0-9-]+"), "provider id '" + id + "' must be lower-case letters, digits and '-'");
        String description = provider.description();
        assertTrue(description != null && !description.isBlank(), subject() + ": description() must be one non-blank line, was '" + description + "'");
        assertTrue(!description.contains("\n"), subject() + ": description() must be one line, was '" + description + "'");
        assertEquals(id, provider().id(), subject() + ": id() must be stable across calls and provider instances");
    }

    // ---------------------------------------------------------------- helpers

    /** "backend 'id'", the subject of every failure message. */
    protected final String subject() {
        return "backend '" + provider.id() + "'";
    }

    /** A fresh, not yet existing directory inside this rule's temporary directory. */
    protected final Path newDirectory() {
        return workDir.resolve("store-" + (++directories));
    }

    /** Opens a backend that is closed after the rule, whatever its outcome. */
    protected final Backend open(Path directory, String... keyspaces) {
        return track(provider.open(new BackendConfig(directory, new LinkedHashSet<>(List.of(keyspaces)), options())));
    }

    private Backend openFresh() {
        return open(newDirectory(), KS, OTHER_KS);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        opened.push(closeable);
        return closeable;
    }

    static byte[] bytes(int... unsignedBytes) {
        byte[] result = new byte[unsignedBytes.length];
        for (int i = 0; i < unsignedBytes.length; i++) {
            result[i] = (byte) unsignedBytes[i];
        }
        return result;
    }

    static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static String hex(byte[] key) {
        return key == null ? "null" : key.length == 0 ? "<empty>" : HexFormat.of().formatHex(key);
    }

    private static void put(Backend backend, String keyspace, byte[] key, byte[] value) {
        backend.write(new WriteBatch().put(keyspace, key, value), Durability.NOT_SYNCED);
    }

    /** One batch per key, so that only the batch rules judge multi-operation batches. */
    private static void putEach(Backend backend, String keyspace, List<byte[]> keys) {
        for (byte[] key : keys) {
            put(backend, keyspace, key, text("v"));
        }
    }

    private static List<byte[]> shuffled(List<byte[]> keys, long seed) {
        List<byte[]> copy = new ArrayList<>(keys);
        Collections.shuffle(copy, new Random(seed));
        return copy;
    }

    private static List<byte[]> reversed(List<byte[]> keys) {
        List<byte[]> copy = new ArrayList<>(keys);
        Collections.reverse(copy);
        return copy;
    }

    private static List<String> hexKeys(List<byte[]> keys) {
        return keys.stream().map(StorageVerification::hex).toList();
    }

    private void assertKeys(List<byte[]> expected, List<KeyValuePair> actual, String what) {
        List<String> actualKeys = hexKeys(actual.stream().map(KeyValuePair::key).toList());
        if (!hexKeys(expected).equals(actualKeys)) {
            fail(subject() + ": " + what + " returned keys " + actualKeys + "; expected " + hexKeys(expected));
        }
    }

    private void assertScan(ReadView view, String start, String end, ScanOrder order, int limit, String... expected) {
        List<String> visited = new ArrayList<>();
        int count = view.scan(KS, start == null ? null : text(start), end == null ? null : text(end), order, limit, (key, value) -> {
            visited.add(text(key));
            return true;
        });
        String range = "scan [" + (start == null ? "start" : start) + ", " + (end == null ? "end" : end) + ") " + order.name().toLowerCase()
                + (limit == 0 ? "" : " limit " + limit);
        if (!List.of(expected).equals(visited)) {
            fail(subject() + ": " + range + " returned " + visited + "; expected " + List.of(expected));
        }
        assertEquals(expected.length, count, subject() + ": " + range + " must return the number of entries it visited");
    }

    private void assertValue(byte[] expected, ReadView view, String keyspace, byte[] key, String what) {
        byte[] actual = view.get(keyspace, key);
        if (!Arrays.equals(expected, actual)) {
            fail(subject() + ": " + what + " (key " + hex(key) + " in '" + keyspace + "') returned "
                    + describeValue(actual) + "; expected " + describeValue(expected));
        }
    }

    private static String describeValue(byte[] value) {
        if (value == null) {
            return "null (absent)";
        }
        if (value.length > 64) {
            return value.length + " bytes " + HexFormat.of().formatHex(value, 0, 16) + "...";
        }
        String asText = text(value);
        return asText.chars().allMatch(c -> c >= 0x20 && c < 0x7F) && value.length > 0 ? "\"" + asText + "\"" : "0x" + hex(value);
    }

    private static Map<String, String> asStrings(List<KeyValuePair> entries) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValuePair entry : entries) {
            map.put(text(entry.key()), text(entry.value()));
        }
        return map;
    }

    private static Map<String, String> byHexKey(List<KeyValuePair> entries) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValuePair entry : entries) {
            map.put(hex(entry.key()), text(entry.value()));
        }
        return map;
    }

    private static List<String> asStringsInOrder(List<KeyValuePair> entries) {
        return entries.stream().map(entry -> text(entry.key())).toList();
    }

    /** A batch that sets keys 0..n-1 of both keyspaces to {@code seq}. */
    private static WriteBatch uniformBatch(long seq, int keys) {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < keys; i++) {
            batch.put(KS, text("u" + i), longBytes(seq));
            batch.put(OTHER_KS, text("u" + i), longBytes(seq));
        }
        return batch;
    }

    /** Checks that every key of {@link #uniformBatch} holds the same sequence number; returns it. */
    private long checkUniform(ReadView view, int keys, String what) {
        Map<String, Long> seen = new TreeMap<>();
        for (String keyspace : List.of(KS, OTHER_KS)) {
            for (ScanOrder order : ScanOrder.values()) {
                for (KeyValuePair entry : view.scan(keyspace, null, null, order, 0)) {
                    seen.put(keyspace + ":" + text(entry.key()) + " (" + order.name().toLowerCase() + " scan)", ByteBuffer.wrap(entry.value()).getLong());
                }
            }
            for (int i = 0; i < keys; i++) {
                byte[] value = view.get(keyspace, text("u" + i));
                seen.put(keyspace + ":u" + i + " (get)", value == null ? -1 : ByteBuffer.wrap(value).getLong());
            }
        }
        if (seen.size() != 2 * keys * 3 || seen.values().stream().distinct().count() != 1) {
            fail(subject() + ": " + what + " mixes batches (each batch sets all " + keys + " keys of both keyspaces to its number): " + seen);
        }
        return seen.values().iterator().next();
    }

    private static Map<String, String> tree(Path directory) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.exists(directory)) {
            return files;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.toList()) {
                String name = directory.relativize(path).toString();
                try {
                    files.put(name, Files.isDirectory(path) ? "<dir>" : HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return files;
    }

    private static Properties readMarker(Path directory) throws IOException {
        Properties properties = new Properties();
        Path marker = directory.resolve(BackendDirectory.MARKER_FILE);
        if (Files.exists(marker)) {
            properties.load(new java.io.StringReader(Files.readString(marker, StandardCharsets.UTF_8)));
        }
        return properties;
    }

    private void assertMentions(Throwable thrown, String word, String what) {
        String message = String.valueOf(thrown.getMessage());
        if (!message.contains(word)) {
            fail(subject() + ": " + what + " must name '" + word + "' in its message, but said: " + message, thrown);
        }
    }

    private <T extends Throwable> T expectThrows(Class<T> type, String action, Executable call) {
        Throwable thrown = null;
        try {
            call.execute();
        } catch (Throwable e) {
            thrown = e;
        }
        if (!type.isInstance(thrown)) {
            fail(subject() + ": " + action + " must throw " + type.getSimpleName() + ", but "
                    + (thrown == null ? "returned normally" : "threw " + thrown), thrown);
        }
        return type.cast(thrown);
    }

    private StorageException expectStorageException(StorageException.Reason reason, String action, Executable call) {
        StorageException thrown = expectThrows(StorageException.class, action, call);
        if (thrown.reason() != reason) {
            fail(subject() + ": " + action + " must throw StorageException with reason " + reason + ", but the reason was "
                    + thrown.reason() + ": " + thrown.getMessage(), thrown);
        }
        return thrown;
    }

    private <T> T expectNothingThrown(String action, org.junit.jupiter.api.function.ThrowingSupplier<T> call) {
        try {
            return call.get();
        } catch (Throwable e) {
            return fail(subject() + ": " + action + " threw " + e, e);
        }
    }

    private void expectNothingThrown(String action, Executable call) {
        try {
            call.execute();
        } catch (Throwable e) {
            fail(subject() + ": " + action + " threw " + e, e);
        }
    }

    /** A thread that repeats a write until closed, and keeps its first failure. */
    private static final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong rounds = new AtomicLong();
        private volatile Throwable failure;
        private final Thread thread;

        Writer(Executable write) {
            thread = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        write.execute();
                        rounds.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            }, "storage-verification-writer");
            thread.start();
        }

        void awaitFirstWrite(String subject) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (rounds.get() == 0 && failure == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            checkNoFailure(subject);
        }

        void checkNoFailure(String subject) {
            if (failure != null) {
                fail(subject + ": a write in the concurrent writer thread threw " + failure, failure);
            }
            if (rounds.get() == 0) {
                fail(subject + ": the concurrent writer thread completed no write while the rule ran");
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

}
