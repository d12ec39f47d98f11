package io.cairn.storage.xodus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ConfigurationStrategy;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Facts about Xodus 2.0.1 that the backend's design rests on, checked against the library itself. If one of these
 * fails after a Xodus upgrade, revisit the choice named in the test.
 */
class XodusLibraryFactsTest {

    @TempDir
    Path temp;

    private static final List<byte[]> KEYS = List.of(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {0x7F},
            new byte[] {(byte) 0x80}, new byte[] {(byte) 0x80, 0}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFF, (byte) 0xFF});

    /** Why keys are stored raw in a B+tree: it orders them unsigned, prefixes first, the empty key included. */
    @Test
    void bTreeStoresWalkUnsignedOrderBothWays() {
        List<String> expected = sortedHex();
        assertEquals(expected, walk(StoreConfig.WITHOUT_DUPLICATES, true));
        assertEquals(expected.reversed(), walk(StoreConfig.WITHOUT_DUPLICATES, false));
    }

    /**
     * Why {@link XodusBackend#STORE_CONFIG} is not the Patricia store ({@code WITHOUT_DUPLICATES_WITH_PREFIXING}):
     * forwards it is right, but backwards it visits a key before the keys it is a prefix of, and skips the empty key.
     */
    @Test
    void patriciaStoresWalkBackwardsOutOfOrder() {
        List<String> expected = sortedHex();
        assertEquals(expected, walk(StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, true));
        assertNotEquals(expected.reversed(), walk(StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, false),
                "Xodus's Patricia cursor now walks backwards correctly: prefixing stores could be used again");
    }

    private static List<String> sortedHex() {
        List<byte[]> sorted = new ArrayList<>(KEYS);
        sorted.sort(Arrays::compareUnsigned);
        return sorted.stream().map(HexFormat.of()::formatHex).toList();
    }

    private List<String> walk(StoreConfig storeConfig, boolean forwards) {
        EnvironmentConfig config = new EnvironmentConfig(ConfigurationStrategy.IGNORE).setManagementEnabled(false);
        Environment environment = Environments.newInstance(temp.resolve("env-" + storeConfig.id).toFile(), config);
        try {
            Transaction write = environment.beginExclusiveTransaction();
            Store store = environment.openStore("keys", storeConfig, write);
            for (byte[] key : KEYS.reversed()) {
                store.put(write, new ArrayByteIterable(key), new ArrayByteIterable(new byte[] {1}));
            }
            write.commit();
            Transaction read = environment.beginReadonlyTransaction();
            List<String> visited = new ArrayList<>();
            try (Cursor cursor = store.openCursor(read)) {
                boolean positioned = forwards ? cursor.getNext() : cursor.getLast();
                while (positioned) {
                    visited.add(HexFormat.of().formatHex(StoreReads.copy(cursor.getKey())));
                    positioned = forwards ? cursor.getNext() : cursor.getPrev();
                }
            } finally {
                read.abort();
            }
            return visited;
        } finally {
            environment.close();
        }
    }
}
