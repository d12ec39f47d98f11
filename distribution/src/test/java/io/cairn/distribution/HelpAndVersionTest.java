package io.cairn.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code cairn --help} names every flag with its default and its environment variable; {@code cairn version}. */
class HelpAndVersionTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Path.of("/work/here"), Map.of()).run(List.of(args));
    }

    @Test
    void helpListsEveryFlagWithItsDefaultAndEnvironmentVariable() {
        assertEquals(Main.EXIT_OK, run("--help"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        for (Flag flag : Flag.values()) {
            String line = lines.stream().filter(l -> l.startsWith("  --" + flag.name + " ")
                    || l.equals("  --" + flag.name) || l.startsWith("  --" + flag.name + "  ")).findFirst()
                    .orElseThrow(() -> new AssertionError("--help lacks " + flag + ":\n" + String.join("\n", lines)));
            if (flag == Flag.HELP || flag == Flag.VERSION) {
                continue;
            }
            assertTrue(line.endsWith("[" + flag.environmentName() + "]"), line);
            if (flag.defaultValue != null) {
                assertTrue(line.contains("(default " + (flag.defaultValue.isEmpty() ? "none" : flag.defaultValue) + ")"),
                        line);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("[CAIRN_SNAPSHOT_COUNT]") && l.contains("(default 10000)")));
    }

    @Test
    void versionNamesCairnTheEtcdApiAndTheCommit() {
        assertEquals(Main.EXIT_OK, run("version"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("Cairn Version: " + Main.version(), lines.get(0));
        assertEquals("etcd API Version: 3.5", lines.get(1));
        assertTrue(lines.get(2).startsWith("Git SHA: "), lines.get(2));
    }
}
