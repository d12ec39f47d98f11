package io.cairn.conformance.archfixture.impureraft;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;

/** Breaks every purity rule of the raft engine on purpose, so ArchitectureTest can show the rule fails. */
public final class ImpureEngine {
    public long clock() {
        return System.currentTimeMillis() + System.nanoTime() + Instant.now().getNano();
    }

    public double dice() {
        return Math.random() + UUID.randomUUID().hashCode();
    }

    public void background() {
        new Thread(() -> {}).start();
        Executors.newSingleThreadExecutor().shutdown();
    }

    public boolean io() {
        return new File("x").exists() || Files.exists(Path.of("y"));
    }
}
