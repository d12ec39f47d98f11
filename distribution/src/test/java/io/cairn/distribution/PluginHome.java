package io.cairn.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A package whose {@code plugins/} folder is another directory: how a plugin author runs the
 * cluster verification on the built package with their plugin's jars, without copying them into
 * the package. {@code bin/} is copied (the launcher finds its home from its own real path, so a
 * link to the package's {@code bin/} would lead back there); {@code lib/} and {@code conf/} are
 * links to the package's, {@code plugins} a link to the given directory.
 */
final class PluginHome {

    private PluginHome() {
    }

    /** The package with {@code pluginsDir} as its plugins folder, made under the test data dir. */
    static Path with(Path pluginsDir) {
        Path packaged = CairnProcess.home();
        Path home = CairnProcess.newDataDir("plugin-home");
        try {
            Files.createDirectories(home.resolve("bin"));
            try (var launchers = Files.list(packaged.resolve("bin"))) {
                for (Path file : launchers.toList()) {
                    Files.copy(file, home.resolve("bin").resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            Files.createSymbolicLink(home.resolve("lib"), packaged.resolve("lib"));
            Files.createSymbolicLink(home.resolve("conf"), packaged.resolve("conf"));
            Files.createSymbolicLink(home.resolve("plugins"), pluginsDir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a package with the plugins of " + pluginsDir, e);
        }
        return home;
    }
}
