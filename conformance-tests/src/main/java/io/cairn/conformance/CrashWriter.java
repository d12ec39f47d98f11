package io.cairn.conformance;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.BackendConfig;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.storage.WriteBatch;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The child-process side of the kit's process-level rules (spec 5.2 and 9.4), started by
 * {@link StorageVerification} in a JVM of its own, so that it can be killed with SIGKILL or hold a
 * directory while the parent tries to open it.
 *
 * <p>Usage: {@code CrashWriter write <provider id> <directory>} writes synced batches until killed,
 * printing {@code ack N} after each {@link Backend#write} of batch {@code N} returns;
 * {@code CrashWriter hold <provider id> <directory>} opens the backend, writes one synced key, prints
 * {@code held}, and closes the backend when its standard input ends. Both print {@code error <message>}
 * and exit with status 2 if the backend cannot be opened.
 *
 * <p>The provider is found by id through {@link StorageProviders}. A provider that is not on the
 * module path (the kit's own reference backend in its tests) can be named in the system property
 * {@value #EXTRA_PROVIDERS_PROPERTY}: comma-separated class names with a public no-argument constructor.
 */
public final class CrashWriter {

    /** System property naming provider classes to consider besides those the ServiceLoader finds. */
    public static final String EXTRA_PROVIDERS_PROPERTY = "io.cairn.conformance.extraProviders";

    /** Keys per keyspace in one batch of the {@code write} mode. */
    static final int KEYS_PER_KEYSPACE = 4;
    static final int VALUE_BYTES = 512;

    private CrashWriter() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("write") || args[0].equals("hold"))) {
            System.err.println("usage: CrashWriter write|hold <provider id> <directory>");
            System.exit(64);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Backend backend;
        try {
            StorageProvider provider = StorageProviders.byId(args[1], candidates());
            backend = provider.open(new BackendConfig(Path.of(args[2]),
                    new LinkedHashSet<>(List.of(StorageVerification.KS, StorageVerification.OTHER_KS)), java.util.Map.of()));
        } catch (RuntimeException e) {
            out.println("error " + e);
            e.printStackTrace();
            System.exit(2);
            return;
        }
        if (args[0].equals("write")) {
            for (long n = 1; ; n++) {
                backend.write(batch(n), Durability.SYNCED);
                out.println("ack " + n);
            }
        }
        backend.write(new WriteBatch().put(StorageVerification.KS, HELD_KEY, HELD_KEY), Durability.SYNCED);
        out.println("held");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // wait for the parent to close our standard input
            }
        }
        backend.close();
        out.println("released");
    }

    static final byte[] HELD_KEY = "held-by-child".getBytes(StandardCharsets.UTF_8);

    /** Batch {@code n}: {@link #KEYS_PER_KEYSPACE} keys in each of the two keyspaces, all naming {@code n}. */
    static WriteBatch batch(long n) {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < KEYS_PER_KEYSPACE; i++) {
            batch.put(StorageVerification.KS, key(n, i), value(n, i));
            batch.put(StorageVerification.OTHER_KS, key(n, i), value(n, i));
        }
        return batch;
    }

    static byte[] key(long n, int i) {
        return String.format("batch-%010d-%d", n, i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(long n, int i) {
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) (n * 31 + i));
        byte[] label = (n + "/" + i).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(label, 0, value, 0, label.length);
        return value;
    }

    /** Parses {@code batch-N-i} back into {@code {N, i}}, or returns null for another key. */
    static long[] parseKey(byte[] key) {
        String text = new String(key, StandardCharsets.UTF_8);
        String[] parts = text.split("-");
        if (parts.length != 3 || !parts[0].equals("batch")) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(parts[1]), Integer.parseInt(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<StorageProvider> candidates() throws ReflectiveOperationException {
        List<StorageProvider> candidates = new ArrayList<>(StorageProviders.all());
        String extra = System.getProperty(EXTRA_PROVIDERS_PROPERTY, "");
        for (String className : extra.split(",")) {
            if (!className.isBlank()) {
                candidates.add((StorageProvider) Class.forName(className.trim()).getDeclaredConstructor().newInstance());
            }
        }
        return candidates;
    }
}
