package io.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every public type of the module carries {@link Stable} or {@link Experimental}. The marks have
 * CLASS retention, invisible to reflection, so this reads the class files: an applied annotation
 * puts its descriptor into the class's constant pool, and nothing else in these classes does.
 */
class StabilityAnnotationTest {

    private static final String STABLE = "Lio/cairn/api/Stable;";
    private static final String EXPERIMENTAL = "Lio/cairn/api/Experimental;";

    @Test
    void everyPublicTypeIsMarked() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Cairn.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> unmarked = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String relative = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                if (relative.endsWith("module-info.class") || relative.endsWith("package-info.class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                Class<?> type = Class.forName(name, false, Cairn.class.getClassLoader());
                if (!Modifier.isPublic(type.getModifiers()) || type.isAnonymousClass() || type.isLocalClass()) {
                    continue;
                }
                checked++;
                String constantPool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (!constantPool.contains(STABLE) && !constantPool.contains(EXPERIMENTAL)) {
                    unmarked.add(name);
                }
            }
        }
        assertTrue(checked > 50, "found only " + checked + " public types under " + classes);
        assertEquals(List.of(), unmarked, "public types without @Stable or @Experimental");
    }
}
