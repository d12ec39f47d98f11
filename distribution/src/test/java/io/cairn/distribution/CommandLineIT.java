package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
    void severalMembersAreRefusedWithAClearMessage() {
        CairnProcess.Result result = CairnProcess.run(TIMEOUT, "--name", "n1", "--initial-cluster",
                "n1=http://127.0.0.1:2380,n2=http://127.0.0.1:2480");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.stderr().contains("clusters of several members come with a later version"), result::toString);
    }
}
