package io.cairn.client;

import io.cairn.api.CairnException;
import io.cairn.server.CairnServer;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** Starting real Cairn members in this JVM (RocksDB storage, the grpc transport on 127.0.0.1) and waiting on futures. */
final class TestServers {

    static final long TIMEOUT_SECONDS = 20;

    private TestServers() {}

    /** A member on a free port (port 0) or the given one. */
    static CairnServer start(Path dataDir, int port) {
        return CairnServer.builder().dataDir(dataDir)
                .clientUrls(List.of(URI.create("http://127.0.0.1:" + port)))
                .start();
    }

    static int port(CairnServer server) {
        return server.clientUrls().get(0).getPort();
    }

    static String endpoint(CairnServer server) {
        return server.clientUrls().get(0).toString();
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new RuntimeException(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("no answer in " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The CairnException a future failed with. */
    static CairnException failure(CompletableFuture<?> future) {
        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        if (thrown.getCause() instanceof CairnException cairn) {
            return cairn;
        }
        return fail("expected a CairnException, got " + thrown.getCause(), thrown.getCause());
    }
}
