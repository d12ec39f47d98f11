package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The packaged launcher's sub-commands and command-line refusals, as an operator meets them. */
class CommandLineIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void versionPrintsTheBuildVersion() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "version");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().startsWith("Cairn Version: " + Main.version() + "\n"), result::toString);
        assertFalse(Main.version().equals("unknown") || Main.version().contains("${"), "version not filtered in");
        assertEquals(result.stdout(), CairnProcess.run(TIMEOUT, "--version").stdout());
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--help");
        assertEquals(0, result.exitCode(), result::toString);
        for (Flag flag : Flag.values()) {
            assertTrue(result.stdout().contains("--" + flag.name), () -> flag + " missing from --help:\n" + result);
        }
        assertTrue(result.stdout().contains("(default http://localhost:2379)"), result::toString);
        assertTrue(result.stdout().contains("(default rocksdb)"), result::toString);
    }

    @Test
    void pluginsListsTheProvidersFoundByServiceBindingOnThePureModulePath() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "plugins");
        assertEquals(0, result.exitCode(), result::toString);
        // named modules prove the module path: on the class path the module column would say so
        assertTrue(result.stdout().matches("(?s).*\\n  rocksdb +io\\.cairn\\.storage\\.rocksdb .*"), result::toString);
        assertTrue(result.stdout().matches("(?s).*\\n  xodus +io\\.cairn\\.storage\\.xodus .*"), result::toString);
        assertTrue(result.stdout().matches("(?s).*\\n  grpc +io\\.cairn\\.transport\\.grpc .*"), result::toString);
        assertTrue(Files.isDirectory(CairnProcess.home().resolve("plugins")), "the package has a plugins/ folder");
    }

    @Test
    void libHoldsTheServersOwnLibrariesNotTheTestClients() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(CairnProcess.home().resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // jetcd (test scope) brings vert.x, unshaded netty and guava-jre: none may reach lib/
        assertTrue(jars.stream().noneMatch(j -> j.startsWith("jetcd") || j.startsWith("vertx") || j.startsWith("netty-")),
                jars::toString);
        assertTrue(jars.stream().anyMatch(j -> j.matches("guava-.*-android\\.jar")), jars::toString);
        // the server logs through slf4j 2 and logback (LogSetup); one slf4j-api only, as two would be two org.slf4j modules
        assertEquals(List.of("slf4j-api-2.0.17.jar"), jars.stream().filter(j -> j.startsWith("slf4j-api-")).toList());
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("logback-classic-")), jars::toString);
        assertEquals(1, jars.stream().filter(j -> j.startsWith("annotations-")).count(),
                () -> "two automatic modules named 'annotations' would stop the JVM: " + jars);
        for (String module : List.of("distribution", "server", "storage-rocksdb", "storage-xodus", "transport-grpc")) {
            assertTrue(jars.contains(module + "-" + Main.version() + ".jar"), () -> module + " missing: " + jars);
        }
    }

    @Test
    void theTarballRunsOnItsOwn() throws IOException {
        Path tarball = CairnProcess.home().resolveSibling(CairnProcess.home().getFileName() + ".tar.gz");
        assertTrue(Files.isRegularFile(tarball), tarball::toString);
        Path unpacked = CairnProcess.newDataDir("tarball");
        Files.createDirectories(unpacked);
        CairnProcess.Result untar = CairnProcess.runCommand(
                List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), null, TIMEOUT);
        assertEquals(0, untar.exitCode(), untar::toString);
        Path launcher = unpacked.resolve(CairnProcess.home().getFileName()).resolve("bin/cairn");
        assertTrue(Files.isExecutable(launcher), "bin/cairn keeps its mode in the tarball");
        assertTrue(Files.isDirectory(launcher.getParent().resolveSibling("plugins")));
        CairnProcess.Result plugins = CairnProcess.runCommand(List.of(launcher.toString(), "plugins"), null, TIMEOUT);
        assertEquals(0, plugins.exitCode(), plugins::toString);
        assertTrue(plugins.stdout().contains("[lib/storage-rocksdb-") && plugins.stdout().contains("[lib/transport-grpc-"),
                plugins::toString);
    }

    @Test
    void unknownFlagExitsWithTwoNamingIt() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--listen-client-url", "http://127.0.0.1:2379");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("unknown flag --listen-client-url"), result::toString);
    }

    @Test
    void badValueExitsWithTwoNamingTheFlag() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--max-txn-ops=lots");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("--max-txn-ops must be a positive whole number"), result::toString);
    }

    @Test
    void unknownStorageExitsWithTwoListingTheProvidersFound() {
        Path dataDir = CairnProcess.newDataDir("unknown-storage");
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--storage", "leveldb", "--data-dir", dataDir.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("--storage: no storage provider 'leveldb' on the module path; found: rocksdb, xodus"),
                result::toString);
        assertFalse(Files.exists(dataDir), "nothing is created for a refused command line");
    }

    @Test
    void aClusterNeedsAPeerTransport() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--name", "n1", "--initial-cluster",
                "n1=http://localhost:2380,n2=http://127.0.0.1:2480", "--peer-transport", "carrier-pigeon");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("--peer-transport: no transport provider 'carrier-pigeon' carrying peer traffic"),
                result::toString);
    }
}
