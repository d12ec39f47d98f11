package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code cairn} server process started from the package ({@code target/cairn-VERSION/bin/cairn}),
 * listening on 127.0.0.1 with a port the system chose (read back from its ready line). Closing it
 * kills the process if it still runs: no test leaves a process behind.
 */
final class CairnProcess implements AutoCloseable {

    /** Generous: a JVM start on a machine loaded by parallel builds can take most of a minute. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern CLIENTS_ON = Pattern.compile("clients on (https?://[^, ]+)");
    private static final Pattern HTTP_ON = Pattern.compile("HTTP on (https?://[^, ]+)");
    private static final Pattern METRICS_ON = Pattern.compile("metrics on (https?://[^, ]+)");
    private static final Pattern MEMBER_ID = Pattern.compile("member \\S+ \\(([0-9a-f]+)\\)");
    private static final AtomicLong DIRECTORIES = new AtomicLong();

    private final Process process;
    private final Path dataDir;
    private final Output stdout;
    private final Output stderr;
    private final URI clientUrl;
    private final URI httpUrl;
    private final URI metricsUrl;
    private final String memberIdHex;

    private CairnProcess(Process process, Path dataDir, Output stdout, Output stderr, String readyLine) {
        this.process = process;
        this.dataDir = dataDir;
        this.stdout = stdout;
        this.stderr = stderr;
        Matcher url = CLIENTS_ON.matcher(readyLine);
        Matcher member = MEMBER_ID.matcher(readyLine);
        assertTrue(url.find() && member.find(), "ready line without client URL or member id: " + readyLine);
        this.clientUrl = URI.create(url.group(1));
        Matcher http = HTTP_ON.matcher(readyLine);
        this.httpUrl = http.find() ? URI.create(http.group(1)) : null;
        Matcher metrics = METRICS_ON.matcher(readyLine);
        this.metricsUrl = metrics.find() ? URI.create(metrics.group(1)) : null;
        this.memberIdHex = member.group(1);
    }

    /** The unpacked package the build made ({@code cairn.home}, set by failsafe). */
    static Path home() {
        String home = System.getProperty("cairn.home");
        assertTrue(home != null, "system property cairn.home is not set: run the tests through Maven (failsafe)");
        Path path = Path.of(home);
        assertTrue(Files.isExecutable(path.resolve("bin/cairn")), "no launcher at " + path.resolve("bin/cairn")
                + ": the package phase must run before these tests");
        return path;
    }

    /** A fresh, not yet existing data directory under target/. */
    static Path newDataDir(String name) {
        Path root = Path.of(System.getProperty("cairn.test.dir", "target/it-data")).toAbsolutePath();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root.resolve(name + "-" + ProcessHandle.current().pid() + "-" + DIRECTORIES.incrementAndGet());
    }

    /**
     * Starts a member on {@code dataDir}, on 127.0.0.1 port 0 unless {@code flags} give
     * {@code --listen-client-urls}, and waits for its ready line.
     */
    static CairnProcess start(Path dataDir, String... flags) {
        return start(home(), dataDir, flags);
    }

    /** {@link #start(Path, String...)} with the launcher of the package at {@code home}. */
    static CairnProcess start(Path home, Path dataDir, String... flags) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/cairn").toString(),
                "--name", "n1", "--data-dir", dataDir.toString()));
        if (!List.of(flags).contains("--listen-client-urls")) {
            command.addAll(List.of("--listen-client-urls", "http://127.0.0.1:0"));
        }
        command.addAll(List.of(flags));
        Launched launched = launch(command);
        Process process = launched.process();
        Output out = launched.stdout();
        Output err = launched.stderr();
        String ready;
        try {
            ready = out.firstLineStartingWith(ServerRun.READY, process, START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
            throw new AssertionError("cairn did not become ready (" + e.getMessage() + ")\nstdout:\n" + out.text()
                    + "\nstderr:\n" + err.text(), e);
        }
        return new CairnProcess(process, dataDir, out, err, ready);
    }

    /**
     * Starts {@code home/bin/cairn args...} exactly as given (a package unpacked elsewhere, a config
     * file) and waits for its ready line; {@code dataDir} is only remembered.
     */
    static CairnProcess startFrom(Path home, Path dataDir, String... args) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/cairn").toString()));
        command.addAll(List.of(args));
        Launched launched = launch(command);
        String ready;
        try {
            ready = launched.stdout().firstLineStartingWith(ServerRun.READY, launched.process(), START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            launched.process().destroyForcibly();
            waitFor(launched.process(), Duration.ofSeconds(10));
            throw new AssertionError("cairn did not become ready (" + e.getMessage() + ")\nstdout:\n"
                    + launched.stdout().text() + "\nstderr:\n" + launched.stderr().text(), e);
        }
        return new CairnProcess(launched.process(), dataDir, launched.stdout(), launched.stderr(), ready);
    }

    /**
     * Starts {@code bin/cairn} with no arguments, configured by {@code environment} (added to this
     * process's own), and waits for its ready line; {@code dataDir} is only remembered.
     */
    static CairnProcess startWithEnvironment(Map<String, String> environment, Path dataDir) {
        Launched launched = launch(List.of(home().resolve("bin/cairn").toString()), environment);
        String ready;
        try {
            ready = launched.stdout().firstLineStartingWith(ServerRun.READY, launched.process(), START_TIMEOUT);
        } catch (RuntimeException | AssertionError e) {
            launched.process().destroyForcibly();
            waitFor(launched.process(), Duration.ofSeconds(10));
            throw new AssertionError("cairn did not become ready (" + e.getMessage() + ")\nstdout:\n"
                    + launched.stdout().text() + "\nstderr:\n" + launched.stderr().text(), e);
        }
        return new CairnProcess(launched.process(), dataDir, launched.stdout(), launched.stderr(), ready);
    }

    /** Runs {@code cairn args...} to its end (at most {@code timeout}) and returns what it did. */
    static Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(home().resolve("bin/cairn").toString()));
        command.addAll(List.of(args));
        return runCommand(command, null, timeout);
    }

    /** Runs any command with optional standard input and returns its exit code and output. */
    static Result runCommand(List<String> command, String stdin, Duration timeout) {
        Launched launched = launch(command);
        Process process = launched.process();
        Output out = launched.stdout();
        Output err = launched.stderr();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command may exit without reading its input; its exit code tells
        }
        if (!waitFor(process, timeout)) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
            fail("timed out after " + timeout + ": " + command + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
        }
        return new Result(process.exitValue(), out.text(), err.text());
    }

    /** A command that started in the background, such as {@code etcdctl watch}; closing kills it. */
    static Background background(List<String> command) {
        Launched launched = launch(command);
        return new Background(launched.process(), launched.stdout(), launched.stderr());
    }

    /** A started process and the files its stdout and stderr go to. */
    private record Launched(Process process, Output stdout, Output stderr) {}

    private static Launched launch(List<String> command) {
        return launch(command, Map.of());
    }

    private static Launched launch(List<String> command, Map<String, String> environment) {
        Path logs = Path.of(System.getProperty("cairn.test.dir", "target/it-data")).toAbsolutePath().resolve("logs");
        long n = DIRECTORIES.incrementAndGet();
        String base = Path.of(command.get(command.get(0).equals("env") ? 2 : 0)).getFileName() + "-" + n;
        try {
            Files.createDirectories(logs);
            Path out = logs.resolve(base + ".out");
            Path err = logs.resolve(base + ".err");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Launched(process, new Output(out), new Output(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** {@code 127.0.0.1:port}, as etcdctl's {@code --endpoints} takes it. */
    String endpoint() {
        return clientUrl.getHost() + ":" + clientUrl.getPort();
    }

    URI clientUrl() {
        return clientUrl;
    }

    /** Where the http transport serves etcd's HTTP APIs (--listen-client-http-urls); fails if it does not. */
    URI httpUrl() {
        assertTrue(httpUrl != null, "the ready line names no HTTP URL");
        return httpUrl;
    }

    /** The first --listen-metrics-urls URL, as bound; fails if the ready line names none. */
    URI metricsUrl() {
        assertTrue(metricsUrl != null, "the ready line names no metrics URL");
        return metricsUrl;
    }

    String memberIdHex() {
        return memberIdHex;
    }

    Path dataDir() {
        return dataDir;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return stdout.text();
    }

    String stderr() {
        return stderr.text();
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    int stop() {
        process.destroy();
        if (!waitFor(process, Duration.ofSeconds(30))) {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
            fail("cairn did not stop within 30 s of SIGTERM\nstderr:\n" + stderr.text());
        }
        return process.exitValue();
    }

    /** Waits up to {@code timeout} for the process to end by itself; whether it did. */
    boolean waitForExit(Duration timeout) {
        return waitFor(process, timeout);
    }

    /** SIGKILL (the launcher execs java, so this is the JVM itself), then waits for the exit. */
    void kill() {
        process.destroyForcibly();
        waitFor(process, Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    /** A finished command. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** A command running in the background. */
    static final class Background implements AutoCloseable {
        private final Process process;
        private final Output stdout;
        private final Output stderr;

        private Background(Process process, Output stdout, Output stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String stdout() {
            return stdout.text();
        }

        String stderr() {
            return stderr.text();
        }

        /** Waits until stdout holds {@code count} lines, or fails after {@code timeout}. */
        List<String> awaitLines(int count, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                List<String> lines = stdout.text().lines().toList();
                if (lines.size() >= count) {
                    return lines;
                }
                sleep(50);
            }
            throw new AssertionError("expected " + count + " lines within " + timeout + "; stdout:\n" + stdout.text()
                    + "\nstderr:\n" + stderr.text());
        }

        /** SIGTERM (etcdctl lock and elect then release and resign), and waits for the exit; returns the exit code. */
        int terminate() {
            process.destroy();
            if (!waitFor(process, Duration.ofSeconds(30))) {
                process.destroyForcibly();
                waitFor(process, Duration.ofSeconds(10));
                fail("did not stop within 30 s of SIGTERM\nstderr:\n" + stderr.text());
            }
            return process.exitValue();
        }

        /** SIGKILL, as a crash: nothing is released; a lease the process held runs out on its own. */
        void kill() {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Writes {@code line} and a newline to the process's standard input. */
        void send(String line) {
            try {
                var in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to process " + process.pid(), e);
            }
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            process.destroyForcibly();
            waitFor(process, Duration.ofSeconds(10));
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Everything a process wrote to one stream. The stream goes to a file rather than a pipe: a pipe
     * read by a thread can lose its last bytes when the process exits, a file cannot, and the file
     * stays under target/ for a failed test's post-mortem.
     */
    private static final class Output {
        private final Path file;

        Output(Path file) {
            this.file = file;
        }

        String text() {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String firstLineStartingWith(String prefix, Process process, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                boolean exited = !process.isAlive();
                String text = text();
                int end = text.lastIndexOf('\n');
                if (end >= 0) {
                    var found = text.substring(0, end).lines().filter(l -> l.startsWith(prefix)).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
                if (exited) {
                    throw new AssertionError("the process exited with code " + process.exitValue());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no line starting with '" + prefix + "' within " + timeout);
                }
                sleep(50);
            }
        }
    }
}
