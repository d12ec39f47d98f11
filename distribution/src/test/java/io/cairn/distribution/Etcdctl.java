package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's own command-line client (Debian package {@code etcd-client}), API v3 (or v2 with
 * {@link #v2}), pointed at one endpoint. Missing etcdctl is a failure, not a skip: {@code .ci/run}
 * installs it.
 */
final class Etcdctl {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path executable;
    private final String endpoint;
    private final List<String> globalFlags;
    private final boolean v2;

    Etcdctl(String endpoint) {
        this(endpoint, false);
    }

    /** API v3 with {@code globalFlags} before every command's arguments (e.g. TLS files). */
    Etcdctl(String endpoint, String... globalFlags) {
        this(endpoint, false, globalFlags);
    }

    private Etcdctl(String endpoint, boolean v2, String... globalFlags) {
        this.executable = find();
        this.endpoint = endpoint;
        this.v2 = v2;
        this.globalFlags = List.of(globalFlags);
    }

    /** {@code ETCDCTL_API=2} against the v2 keys API at {@code httpUrl} (an HTTP client URL). */
    static Etcdctl v2(String httpUrl) {
        return new Etcdctl(httpUrl, true);
    }

    static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "etcdctl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path usual = Path.of("/usr/bin/etcdctl");
        assertTrue(Files.isExecutable(usual), "etcdctl is not installed: install the Debian package etcd-client"
                + " (apt-get install -y etcd-client; .ci/run does it when etcdctl is missing)");
        return usual;
    }

    List<String> command(String... args) {
        List<String> command = v2
                ? new ArrayList<>(List.of("env", "ETCDCTL_API=2", executable.toString(), "--endpoints=" + endpoint,
                        "--timeout=5s", "--total-timeout=20s"))
                : new ArrayList<>(List.of("env", "ETCDCTL_API=3", executable.toString(), "--endpoints=" + endpoint,
                        "--dial-timeout=5s", "--command-timeout=10s"));
        command.addAll(globalFlags);
        command.addAll(List.of(args));
        return command;
    }

    CairnProcess.Result run(String... args) {
        return CairnProcess.runCommand(command(args), null, TIMEOUT);
    }

    CairnProcess.Result runWithInput(String stdin, String... args) {
        return CairnProcess.runCommand(command(args), stdin, TIMEOUT);
    }

    /** Runs and requires exit code 0; returns stdout. */
    String ok(String... args) {
        CairnProcess.Result result = run(args);
        assertEquals(0, result.exitCode(), () -> "etcdctl " + String.join(" ", args) + " failed: " + result);
        return result.stdout();
    }

    /** Runs and requires a failure whose stderr holds {@code expectedError}; returns stderr. */
    String fails(String expectedError, String... args) {
        CairnProcess.Result result = run(args);
        assertNotEquals(0, result.exitCode(), () -> "etcdctl " + String.join(" ", args) + " should fail: " + result);
        assertTrue(result.stderr().contains(expectedError), () -> "etcdctl " + String.join(" ", args)
                + ": expected an error containing '" + expectedError + "': " + result);
        return result.stderr();
    }

    CairnProcess.Background background(String... args) {
        return CairnProcess.background(command(args));
    }
}
