package io.cairn.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's own v2 client — Debian's etcdctl 3.4 with {@code ETCDCTL_API=2} — against the v2 keys API of
 * a real member. Missing etcdctl is a failure, not a skip: the build installs it (ensure-etcdctl.sh).
 */
class EtcdctlV2Test {

    @TempDir
    static Path dir;

    static HttpServerFixture http;
    static Path etcdctl;

    @BeforeAll
    static void start() {
        etcdctl = find();
        http = new HttpServerFixture(dir);
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    static Path find() {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "etcdctl");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path usual = Path.of("/usr/bin/etcdctl");
        assertTrue(Files.isExecutable(usual), "etcdctl is not installed: install the Debian package etcd-client"
                + " (the build's ensure-etcdctl.sh does it when it runs as root)");
        return usual;
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(etcdctl.toString(), "--endpoints", http.base.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static Process start(String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "2");
        return builder.start();
    }

    record Result(int exitCode, String output) {}

    private static Result run(String... args) throws Exception {
        Process process = start(args);
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "etcdctl " + String.join(" ", args) + " finished");
        return new Result(process.exitValue(), output);
    }

    private static String ok(String... args) throws Exception {
        Result result = run(args);
        assertEquals(0, result.exitCode(), () -> "etcdctl " + String.join(" ", args) + ": " + result.output());
        return result.output();
    }

    @Test
    void setGetMkUpdateAndRemove() throws Exception {
        assertEquals("bar", ok("set", "/ctl/foo", "bar"));
        assertEquals("bar", ok("get", "/ctl/foo"));
        assertEquals("v", ok("mk", "/ctl/new", "v"));
        Result exists = run("mk", "/ctl/new", "again");
        assertNotEquals(0, exists.exitCode());
        assertTrue(exists.output().contains("105: Key already exists (/ctl/new)"), exists.output());
        assertEquals("baz", ok("update", "/ctl/foo", "baz"));
        Result missing = run("get", "/ctl/none");
        assertNotEquals(0, missing.exitCode());
        assertTrue(missing.output().contains("100: Key not found (/ctl/none)"), missing.output());
        assertTrue(ok("rm", "/ctl/foo").contains("PrevNode.Value: baz"));
    }

    @Test
    void directoriesMkdirLsRmdir() throws Exception {
        ok("mkdir", "/tree/empty");
        ok("set", "/tree/a/x", "1");
        ok("set", "/tree/a/y", "2");
        ok("set", "/tree/b", "3");
        assertEquals(String.join("\n", "/tree/a", "/tree/a/x", "/tree/a/y", "/tree/b", "/tree/empty"),
                ok("ls", "--recursive", "--sort", "/tree"));
        assertEquals(String.join("\n", "/tree/a", "/tree/b", "/tree/empty"), ok("ls", "--sort", "/tree"));
        ok("rmdir", "/tree/empty");
        Result notEmpty = run("rmdir", "/tree/a");
        assertNotEquals(0, notEmpty.exitCode());
        assertTrue(notEmpty.output().contains("108: Directory not empty (/tree/a)"), notEmpty.output());
        ok("rm", "--recursive", "/tree/a");
        assertEquals("/tree/b", ok("ls", "/tree"));
    }

    @Test
    void swapWithValueAndTtl() throws Exception {
        ok("set", "/cas/k", "one");
        Result failed = run("set", "--swap-with-value", "two", "/cas/k", "three");
        assertNotEquals(0, failed.exitCode());
        assertTrue(failed.output().contains("101: Compare failed ([two != one])"), failed.output());
        assertEquals("three", ok("set", "--swap-with-value", "one", "/cas/k", "three"));
        assertEquals("three", ok("get", "/cas/k"));

        ok("set", "--ttl", "1", "/cas/short", "gone soon");
        assertEquals("gone soon", ok("get", "/cas/short"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Result after;
        do {
            Thread.sleep(250);
            after = run("get", "/cas/short");
        } while (after.exitCode() == 0 && System.nanoTime() < deadline);
        assertTrue(after.output().contains("100: Key not found (/cas/short)"), after.output());
    }

    @Test
    void watchAndExecWatchSeeTheChange() throws Exception {
        Process watch = start("watch", "/watched");
        // etcdctl keeps "--" (key before it) only when a flag was parsed; without one it takes the last argument as the key
        Process execWatch = start("exec-watch", "--recursive", "/watched", "--", "sh", "-c", "echo \"exec $ETCD_WATCH_ACTION $ETCD_WATCH_VALUE\"");
        try {
            BlockingQueue<String> execLines = lines(execWatch);
            Thread.sleep(1500); // both are polling now; a set before that would not be seen, as in etcd
            ok("set", "/watched", "hello");
            assertTrue(watch.waitFor(20, TimeUnit.SECONDS), "watch ends after one event");
            String watched = new String(watch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("hello", watched);
            String line = execLines.poll(20, TimeUnit.SECONDS);
            execWatch.destroy();
            Thread.sleep(500);
            assertEquals("exec set hello", line, "exec-watch printed: " + execLines);
        } finally {
            watch.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            execWatch.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process was stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
