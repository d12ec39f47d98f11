package io.cairn.server.mvcc;

import io.cairn.spi.storage.Backend;
import io.cairn.spi.storage.Durability;
import io.cairn.spi.storage.ReadSnapshot;
import io.cairn.spi.storage.ScanOrder;
import io.cairn.spi.storage.WriteBatch;

import java.util.ArrayList;
import java.util.List;

/** Backends for tests outside this package (the watch hub's), from the same {@link BackendFactory}. */
public final class TestBackends {

    private static final BackendFactory FACTORY = BackendFactory.fromSystemProperty();

    private TestBackends() {
    }

    /** A new, empty backend with the store's and the lessor's keyspaces. */
    public static Backend create() {
        return FACTORY.create();
    }

    /**
     * Replaces what {@code target} holds in the store's keyspaces with what {@code source} holds, in
     * batches of {@code batchEntries} entries, as a snapshot from the leader is installed. After each
     * batch but the last, {@code betweenBatches} runs (tests look at the store half-installed).
     */
    public static void copyStoreContents(Backend source, Backend target, int batchEntries, Runnable betweenBatches) {
        WriteBatch clear = new WriteBatch();
        for (String keyspace : MvccStore.KEYSPACES) {
            clear.deleteRange(keyspace, null, null);
        }
        target.write(clear, Durability.NOT_SYNCED);
        List<WriteBatch> batches = new ArrayList<>();
        batches.add(new WriteBatch());
        try (ReadSnapshot view = source.snapshot()) {
            for (String keyspace : MvccStore.KEYSPACES) {
                view.scan(keyspace, null, null, ScanOrder.ASCENDING, 0, (key, value) -> {
                    if (batches.getLast().size() >= batchEntries) {
                        batches.add(new WriteBatch());
                    }
                    batches.getLast().put(keyspace, key, value);
                    return true;
                });
            }
        }
        for (int i = 0; i < batches.size(); i++) {
            target.write(batches.get(i), Durability.NOT_SYNCED);
            if (i < batches.size() - 1) {
                betweenBatches.run();
            }
        }
    }

    /** Closes {@code backend} and deletes what it stored. */
    public static void destroy(Backend backend) {
        FACTORY.destroy(backend);
    }
}
