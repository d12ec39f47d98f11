package io.cairn.server;

import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Embedding" example, as written there (keep them in step). */
class EmbeddingExampleTest {

    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleRuns() {
        Path dataDir = tmp.resolve("cairn-data");
        String value;
        try (CairnServer server = CairnServer.builder()
                .dataDir(dataDir)
                .storage("rocksdb")
                .start()) {
            Cairn cairn = server.client();
            cairn.kv().put(Bytes.fromUtf8("greeting"), Bytes.fromUtf8("hello")).join();
            value = cairn.kv().get(Bytes.fromUtf8("greeting")).join().kvs().get(0).value().toUtf8();
            assertTrue(server.clientUrls().isEmpty(), "embedded only: no endpoint");
        }
        assertEquals("hello", value);
        assertTrue(dataDir.resolve("member").resolve("raft").toFile().isDirectory());
        assertTrue(dataDir.resolve("member").resolve("state").toFile().isDirectory());
    }
}
