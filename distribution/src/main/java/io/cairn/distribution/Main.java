package io.cairn.distribution;

import io.cairn.api.Experimental;
import io.cairn.spi.storage.StorageProvider;
import io.cairn.spi.storage.StorageProviders;
import io.cairn.spi.transport.TransportProvider;
import io.cairn.spi.transport.TransportProviders;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code cairn} command.
 *
 * <pre>
 * cairn [flags]        start a member (etcd's flags; cairn --help lists them)
 * cairn version        print the version
 * cairn plugins        list the storage and transport providers found on the module path
 * cairn snapshot status|restore FILE ...   as etcdctl snapshot status|restore ({@link SnapshotCommand})
 * </pre>
 *
 * Exit codes: 0 after a clean stop (SIGTERM, SIGINT) or a successful sub-command; 1 when the server
 * cannot start or fails; 2 for a command line it cannot accept.
 */
@Experimental("new with issue 4; more sub-commands (snapshot save/restore, ...) come later")
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    private final Path workingDirectory;

    private final Map<String, String> environment;

    Main(PrintStream out, PrintStream err, Path workingDirectory, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.workingDirectory = workingDirectory;
        this.environment = Map.copyOf(environment);
    }

    /** Runs the command and exits the JVM with its exit code. */
    public static void main(String[] args) {
        int code;
        try {
            code = new Main(System.out, System.err, Path.of("").toAbsolutePath(), System.getenv()).run(List.of(args));
        } catch (RuntimeException | Error e) {
            // a bug or a broken plugin: still one line, the stack trace only when asked for
            System.err.println("cairn: unexpected failure: " + e);
            if (List.of(args).contains("--debug") || List.of(args).contains("--debug=true")) {
                e.printStackTrace();
            }
            code = EXIT_FAILED;
        }
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs the command; returns the exit code. A server runs until it is told to stop. */
    int run(List<String> args) {
        if (!args.isEmpty()) {
            switch (args.get(0)) {
                case "version" -> {
                    return onlyCommand(args) ? printVersion() : EXIT_USAGE;
                }
                case "plugins" -> {
                    return onlyCommand(args) ? printPlugins() : EXIT_USAGE;
                }
                case "help" -> {
                    return onlyCommand(args) ? printHelp() : EXIT_USAGE;
                }
                case "snapshot" -> {
                    return new SnapshotCommand(out, err, workingDirectory, onTerminal()).run(args.subList(1, args.size()));
                }
                default -> { }
            }
        }
        ServerOptions.Request request;
        try {
            request = ServerOptions.parse(args, environment, workingDirectory);
        } catch (UsageException e) {
            return usageError(e.getMessage());
        }
        return switch (request) {
            case ServerOptions.Help help -> printHelp();
            case ServerOptions.Version version -> printVersion();
            case ServerOptions.Run run -> {
                try {
                    checkProvidersPresent(run.options());
                } catch (UsageException e) {
                    yield usageError(e.getMessage());
                }
                LogSetup.apply(run.options().log());
                org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("cairn");
                run.warnings().forEach(log::warn);
                yield new ServerRun(run.options(), out, err).run();
            }
        };
    }

    /** Whether the output is a terminal (JDK 22+ has Console.isTerminal; on 21 a console means one). */
    private static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private boolean onlyCommand(List<String> args) {
        if (args.size() == 1) {
            return true;
        }
        usageError("cairn " + args.get(0) + " takes no arguments, got " + String.join(" ", args.subList(1, args.size())));
        return false;
    }

    private int usageError(String message) {
        err.println("cairn: " + message);
        err.println("Run 'cairn --help' for the flags.");
        return EXIT_USAGE;
    }

    /** An unknown provider id is a bad flag value (exit 2), caught before anything is opened. */
    private static void checkProvidersPresent(ServerOptions options) throws UsageException {
        List<StorageProvider> storages = StorageProviders.all();
        if (storages.stream().noneMatch(p -> p.id().equals(options.storage()))) {
            throw new UsageException(Flag.STORAGE + ": no storage provider '" + options.storage()
                    + "' on the module path; found: " + ids(storages.stream().map(StorageProvider::id).toList()));
        }
        List<TransportProvider> transports = TransportProviders.all();
        for (String id : options.transports()) {
            if (transports.stream().noneMatch(p -> p.id().equals(id))) {
                throw new UsageException(Flag.TRANSPORT + ": no transport provider '" + id
                        + "' on the module path; found: " + ids(transports.stream().map(TransportProvider::id).toList()));
            }
        }
        boolean clustered = options.initialCluster().size() > 1;
        List<String> peerCarriers = transports.stream().filter(TransportProvider::carriesPeerTraffic)
                .map(TransportProvider::id).toList();
        if (clustered && !peerCarriers.contains(options.peerTransport())) {
            throw new UsageException(Flag.PEER_TRANSPORT + ": no transport provider '" + options.peerTransport()
                    + "' carrying peer traffic on the module path; found: " + ids(peerCarriers));
        }
    }

    private static String ids(List<String> ids) {
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }

    /** The version of this package, from the build ({@code unknown} if the resource is missing). */
    static String version() {
        return buildProperty("version.properties", "version", "unknown");
    }

    /** The commit the package was built from ({@code git rev-parse --short HEAD} at build time), if known. */
    static String gitSha() {
        return buildProperty("git.properties", "sha", "");
    }

    /** The etcd API version Cairn serves (what {@code Maintenance.Status} and {@code /version} report). */
    static final String ETCD_API_VERSION = "3.5";

    private static String buildProperty(String resource, String key, String absent) {
        try (InputStream in = Main.class.getResourceAsStream(resource)) {
            if (in == null) {
                return absent;
            }
            Properties properties = new Properties();
            properties.load(in);
            String value = properties.getProperty(key, absent).strip();
            return value.isEmpty() || value.startsWith("${") ? absent : value;
        } catch (IOException e) {
            return absent;
        }
    }

    /** etcd's {@code etcd --version} lines, with Cairn's version and the etcd API it serves. */
    private int printVersion() {
        out.println("Cairn Version: " + version());
        out.println("etcd API Version: " + ETCD_API_VERSION);
        out.println("Git SHA: " + (gitSha().isEmpty() ? "not available" : gitSha()));
        out.println("Java Version: " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")");
        out.println("OS/Arch: " + System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + "/"
                + System.getProperty("os.arch", "?"));
        return EXIT_OK;
    }

    private int printPlugins() {
        out.println("Storage providers (--storage, default " + Flag.STORAGE.defaultValue + "):");
        List<StorageProvider> storages = StorageProviders.all();
        if (storages.isEmpty()) {
            out.println("  none found");
        }
        for (StorageProvider provider : storages) {
            out.println(pluginLine(provider.id(), provider.getClass().getModule(), provider.description()));
        }
        out.println("Transport providers (--transport, default " + Flag.TRANSPORT.defaultValue + "):");
        List<TransportProvider> transports = TransportProviders.all();
        if (transports.isEmpty()) {
            out.println("  none found");
        }
        for (TransportProvider provider : transports) {
            out.println(pluginLine(provider.id(), provider.getClass().getModule(), provider.description()));
        }
        return EXIT_OK;
    }

    private static String pluginLine(String id, Module module, String description) {
        String location = module.getLayer() == null ? "" : module.getLayer().configuration()
                .findModule(module.getName())
                .flatMap(resolved -> resolved.reference().location())
                .map(Main::fileName)
                .orElse("");
        String moduleName = module.isNamed() ? module.getName() : "(class path)";
        return String.format(Locale.ROOT, "  %-10s %-28s %s%s", id, moduleName, description,
                location.isEmpty() ? "" : "  [" + location + "]");
    }

    private static String fileName(URI location) {
        if (!"file".equals(location.getScheme())) {
            return location.toString();
        }
        Path path = Path.of(location);
        Path parent = path.getParent();
        return parent == null || parent.getFileName() == null
                ? path.getFileName().toString()
                : parent.getFileName() + "/" + path.getFileName();
    }

    private int printHelp() {
        out.println("Usage: cairn [flags]        start a member of a Cairn cluster (etcd's flags)");
        out.println("       cairn version        print the version");
        out.println("       cairn plugins        list the storage and transport providers found");
        out.println("       cairn snapshot status|restore FILE [flags]   as etcdctl snapshot status|restore");
        out.println();
        out.println("Flags (--flag value or --flag=value). Each flag can also be set by the environment variable");
        out.println("in [brackets] (etcd's ETCD_* as CAIRN_*; the flag wins over it), or by the same key in the");
        out.println("--config-file YAML file (TLS in client-transport-security / peer-transport-security).");
        out.println();
        List<String> lines = new ArrayList<>();
        for (Flag flag : Flag.values()) {
            String head = "  --" + flag.name + (flag.isBoolean() ? "" : " <value>");
            String defaultText = flag.defaultValue == null || flag == Flag.HELP || flag == Flag.VERSION ? ""
                    : flag.defaultValue.isEmpty() ? " (default none)" : " (default " + flag.defaultValue + ")";
            String environmentText = flag == Flag.HELP || flag == Flag.VERSION ? "" : " [" + flag.environmentName() + "]";
            lines.add(String.format(Locale.ROOT, "%-43s %s%s%s", head, flag.description, defaultText, environmentText));
        }
        lines.forEach(out::println);
        out.println();
        out.println("Stop with SIGTERM or Ctrl-C: a leader first hands leadership to another member, requests in");
        out.println("flight finish, storage is closed, exit code 0.");
        return EXIT_OK;
    }
}
