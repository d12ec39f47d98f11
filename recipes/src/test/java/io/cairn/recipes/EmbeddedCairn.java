package io.cairn.recipes;

import io.cairn.api.Cairn;
import io.cairn.api.lease.LeaseRevokeRequest;
import io.cairn.server.CairnServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real embedded member (RocksDB) per test class; tests reach it only through {@link Cairn}, the
 * interface a remote client implements too, so the same tests can later run against a cluster.
 */
abstract class EmbeddedCairn {

    static final long TIMEOUT_SECONDS = 30;

    private static Path dir;
    private static CairnServer server;
    static Cairn cairn;

    @BeforeAll
    static void startMember() throws IOException {
        dir = Files.createTempDirectory("cairn-recipes");
        server = CairnServer.builder().dataDir(dir).storage("rocksdb").start();
        cairn = server.client();
    }

    @AfterAll
    static void stopMember() {
        if (server != null) {
            server.close();
            server = null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code key} exists (a waiter has queued, say); fails after the timeout. */
    static void awaitKey(io.cairn.api.Bytes key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (cairn.kv().get(key).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).kvs().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no key " + key + " within " + TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(10);
        }
    }

    /** Polls {@code condition} until it holds; fails after the timeout. */
    static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Revokes a lease from outside its holder, as an operator (or the TTL) would. */
    static void revoke(long lease) throws Exception {
        cairn.lease().revoke(new LeaseRevokeRequest(lease)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
