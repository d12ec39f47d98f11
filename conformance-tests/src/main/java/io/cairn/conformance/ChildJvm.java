package io.cairn.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashWriter} in a child JVM, started with the same java binary, module path and class
 * path as this JVM (as surefire or any launcher set them up), so that the child finds the same
 * plugins. Its standard output is read line by line on a daemon thread; standard error goes to a file
 * that failure messages quote.
 */
final class ChildJvm implements AutoCloseable {

    private static final String END = "\u0000end";

    private final Process process;
    private final List<String> command;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, List<String> command, Path stderr) {
        this.process = process;
        this.command = command;
        this.stderr = stderr;
        Thread reader = new Thread(this::pumpOutput, "crash-writer-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildJvm start(List<String> jvmOptions, Path stderr, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path", "");
        String classPath = System.getProperty("java.class.path", "");
        if (!modulePath.isEmpty()) {
            command.add("--module-path");
            command.add(modulePath);
            // Resolve every module found, as the parent's boot layer did for the plugins: the child's
            // root module alone would not pull in a plugin when the kit runs from the class path.
            command.add("--add-modules");
            command.add("ALL-MODULE-PATH");
        }
        if (!classPath.isEmpty()) {
            command.add("--class-path");
            command.add(classPath);
        }
        Module kit = CrashWriter.class.getModule();
        if (kit.isNamed()) {
            command.add("-m");
            command.add(kit.getName() + "/" + CrashWriter.class.getName());
        } else {
            command.add(CrashWriter.class.getName());
        }
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .start();
        return new ChildJvm(process, command, stderr);
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the child was killed; the end marker below tells the reader
        } finally {
            lines.add(END);
        }
    }

    /** The next line of standard output, or null at its end or when {@code timeout} passes. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || line.equals(END)) {
            if (line != null) {
                lines.add(END);
            }
            return null;
        }
        return line;
    }

    /** Every remaining line until the output ends (the child must be dead or ending). */
    List<String> drain(Duration timeout) throws InterruptedException {
        List<String> rest = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String line; (line = nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null; ) {
            rest.add(line);
        }
        return rest;
    }

    /** SIGKILL on Linux: no shutdown hooks, no flush, the process just stops. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** The command line and the tail of standard error, for failure messages. */
    String diagnostics() {
        String errors;
        try {
            errors = Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors = "(cannot read " + stderr + ": " + e + ")";
        }
        if (errors.length() > 4000) {
            errors = "..." + errors.substring(errors.length() - 4000);
        }
        return "\n  child command: " + String.join(" ", command) + "\n  child stderr: " + (errors.isBlank() ? "(empty)" : errors);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
