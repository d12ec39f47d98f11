package io.cairn.distribution;

import io.cairn.server.SnapshotFiles;
import io.cairn.spi.storage.StorageProviders;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cairn snapshot status|restore}, as {@code etcdctl snapshot status|restore} (save is etcd's
 * own: {@code etcdctl snapshot save} works against Cairn unchanged).
 *
 * <pre>
 * cairn snapshot status FILE [-w simple|table|json]
 * cairn snapshot restore FILE [--data-dir DIR] [--name NAME] [--initial-cluster NAME=URL,...]
 *       [--initial-cluster-token TOKEN] [--initial-advertise-peer-urls URL,...] [--storage ID]
 * </pre>
 *
 * Defaults are etcdctl's (name {@code default}, peer URL {@code http://localhost:2380}, token
 * {@code etcd-cluster}), the data directory {@code <name>.cairn}. Restore draws a progress bar on
 * a terminal.
 */
final class SnapshotCommand {

    static final String USAGE = """
            Usage:
              cairn snapshot status FILE [-w simple|table|json]
              cairn snapshot restore FILE [--data-dir DIR] [--name NAME] [--initial-cluster NAME=URL,...]
                    [--initial-cluster-token TOKEN] [--initial-advertise-peer-urls URL,...] [--storage ID]
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Path workingDirectory;
    private final boolean terminal;

    SnapshotCommand(PrintStream out, PrintStream err, Path workingDirectory, boolean terminal) {
        this.out = out;
        this.err = err;
        this.workingDirectory = workingDirectory;
        this.terminal = terminal;
    }

    /** Runs {@code args} (after "snapshot"); returns the exit code. */
    int run(List<String> args) {
        if (args.isEmpty()) {
            return usage("cairn snapshot needs a sub-command: status or restore");
        }
        String verb = args.get(0);
        Map<String, String> flags = new LinkedHashMap<>();
        String file = null;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-")) {
                String body = arg.replaceFirst("^--?", "");
                int equals = body.indexOf('=');
                String name = equals < 0 ? body : body.substring(0, equals);
                if (name.equals("write-out")) {
                    name = "w";
                }
                String value;
                if (equals >= 0) {
                    value = body.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    return usage("--" + name + " needs a value");
                }
                flags.put(name, value);
            } else if (file == null) {
                file = arg;
            } else {
                return usage("unexpected argument '" + arg + "'");
            }
        }
        if (file == null) {
            return usage("cairn snapshot " + verb + " needs a snapshot file");
        }
        Path path;
        try {
            path = workingDirectory.resolve(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return usage("'" + file + "' is not a usable path: " + e.getReason());
        }
        return switch (verb) {
            case "status" -> status(path, flags);
            case "restore" -> restore(path, flags);
            default -> usage("unknown snapshot sub-command '" + verb + "': status or restore");
        };
    }

    private int usage(String message) {
        err.println("cairn: " + message);
        err.print(USAGE);
        return Main.EXIT_USAGE;
    }

    private int status(Path file, Map<String, String> flags) {
        for (String flag : flags.keySet()) {
            if (!flag.equals("w")) {
                return usage("unknown flag --" + flag + " for snapshot status");
            }
        }
        String format = flags.getOrDefault("w", "simple");
        if (!List.of("simple", "table", "json").contains(format)) {
            return usage("-w must be simple, table or json, got '" + format + "'");
        }
        SnapshotFiles.Status status;
        try {
            status = SnapshotFiles.status(file);
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        String hash = Long.toHexString(status.hash());
        String size = humanBytes(status.totalSize());
        switch (format) {
            case "json" -> out.printf(Locale.ROOT, "{\"hash\":%d,\"revision\":%d,\"totalKey\":%d,\"totalSize\":%d}%n",
                    status.hash(), status.revision(), status.totalKeys(), status.totalSize());
            case "table" -> {
                String[] header = {"HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"};
                String[] row = {hash, Long.toString(status.revision()), Long.toString(status.totalKeys()), size};
                int[] widths = new int[4];
                for (int i = 0; i < 4; i++) {
                    widths[i] = Math.max(header[i].length(), row[i].length());
                }
                String line = "+" + String.join("+", java.util.Arrays.stream(widths).mapToObj(w -> "-".repeat(w + 2)).toList()) + "+";
                out.println(line);
                out.println(tableRow(header, widths));
                out.println(line);
                out.println(tableRow(row, widths));
                out.println(line);
            }
            default -> out.println(hash + ", " + status.revision() + ", " + status.totalKeys() + ", " + size);
        }
        return Main.EXIT_OK;
    }

    private static String tableRow(String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            int pad = widths[i] - cells[i].length();
            b.append(' ').append(" ".repeat(pad / 2)).append(cells[i]).append(" ".repeat(pad - pad / 2)).append(" |");
        }
        return b.toString();
    }

    /** etcd prints sizes with go-humanize: SI units, e.g. "2.1 MB". */
    static String humanBytes(long bytes) {
        if (bytes < 10) {
            return bytes + " B";
        }
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? bytes + " B"
                : String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    }

    private int restore(Path file, Map<String, String> flags) {
        List<String> known = List.of("data-dir", "name", "initial-cluster", "initial-cluster-token",
                "initial-advertise-peer-urls", "storage", "skip-hash-check");
        for (String flag : flags.keySet()) {
            if (!known.contains(flag)) {
                return usage("unknown flag --" + flag + " for snapshot restore");
            }
        }
        if ("true".equals(flags.get("skip-hash-check"))) {
            return usage("--skip-hash-check is not supported: a Cairn snapshot is always checked whole");
        }
        String name = flags.getOrDefault("name", "default");
        SnapshotFiles.RestoreTarget target;
        try {
            List<URI> peerUrls = ServerOptions.urls(Flag.INITIAL_ADVERTISE_PEER_URLS,
                    flags.getOrDefault("initial-advertise-peer-urls", "http://localhost:2380"));
            String clusterText = flags.getOrDefault("initial-cluster",
                    String.join(",", peerUrls.stream().map(url -> name + "=" + url).toList()));
            Map<String, List<URI>> cluster = ServerOptions.initialCluster(clusterText);
            Path dataDir = workingDirectory.resolve(flags.getOrDefault("data-dir", name + ".cairn")).toAbsolutePath().normalize();
            String storage = flags.getOrDefault("storage", Flag.STORAGE.defaultValue);
            if (StorageProviders.all().stream().noneMatch(p -> p.id().equals(storage))) {
                return usage("--storage: no storage provider '" + storage + "' on the module path");
            }
            target = new SnapshotFiles.RestoreTarget(dataDir, name, peerUrls, cluster,
                    flags.getOrDefault("initial-cluster-token", "etcd-cluster"), storage);
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (InvalidPathException e) {
            return usage("--data-dir is not a usable path: " + e.getReason());
        }
        ProgressBar bar = new ProgressBar();
        try {
            SnapshotFiles.restore(file, target, bar::update);
        } catch (IOException | RuntimeException e) {
            bar.end();
            err.println("Error: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        bar.end();
        out.println("Restored snapshot " + file + " into " + target.dataDir() + " (member " + target.name()
                + "); start it with the same --name, --initial-cluster, --initial-cluster-token and"
                + " --initial-advertise-peer-urls");
        return Main.EXIT_OK;
    }

    /** A one-line bar redrawn with carriage returns on a terminal; nothing when output is not one. */
    private final class ProgressBar {
        private static final int WIDTH = 40;
        private int lastPercent = -1;
        private boolean drawn;

        void update(long done, long total) {
            if (!terminal || total <= 0) {
                return;
            }
            int percent = (int) (done * 100 / total);
            if (percent == lastPercent) {
                return;
            }
            lastPercent = percent;
            int filled = percent * WIDTH / 100;
            err.print(String.format(Locale.ROOT, "\rrestoring [%s%s] %3d%% %s / %s", "#".repeat(filled),
                    " ".repeat(WIDTH - filled), percent, humanBytes(done), humanBytes(total)));
            err.flush();
            drawn = true;
        }

        void end() {
            if (drawn) {
                err.println();
            }
        }
    }
}
