package io.cairn.distribution;

import io.cairn.spi.transport.TlsConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server's configuration as given on the command line, checked and with every default filled in.
 *
 * @param name the member name ({@code --name}), non-empty
 * @param dataDir absolute, normalized data directory
 * @param listenClientUrls where to listen for clients, {@code http://host:port}, {@code localhost}
 *     already replaced by {@code 127.0.0.1}; non-empty, no duplicates
 * @param listenClientHttpUrls where the {@code http} transport serves etcd's HTTP APIs, normalized as
 *     {@code listenClientUrls}; empty: not at all
 * @param listenMetricsUrls etcd's {@code --listen-metrics-urls}: where only {@code /metrics} and
 *     {@code /health} are served, normalized as {@code listenClientUrls}; empty: nowhere
 * @param advertiseClientUrls client URLs told to clients; empty: the bound listen URLs
 * @param listenPeerUrls where to listen for peers; empty for a one-member cluster whose command
 *     line did not ask for a peer port (so that lone members never contend for :2380)
 * @param initialAdvertisePeerUrls this member's peer URLs, recorded in the member list
 * @param initialCluster the initial members by name; exactly one entry, this member, for now
 * @param initialClusterState {@code new} or {@code existing}
 * @param initialClusterToken the token the cluster id derives from
 * @param maxRequestBytes the largest client request accepted, positive
 * @param maxTxnOps the most operations in one transaction, positive
 * @param storage the storage provider id
 * @param transports the client transport provider ids, non-empty, no duplicates
 * @param debug whether errors print their stack trace
 * @param peerTransport the transport provider id carrying peer traffic
 * @param snapshotCount entries applied between snapshots, positive
 * @param faultInjectionFile tests only: the file polled for peer faults, or null
 * @param maintenance the backend quota and auto-compaction
 * @param log the log level and format ({@code --log-level}, {@code --log-format})
 * @param authToken etcd's {@code --auth-token}: {@code simple} or {@code jwt,...}
 * @param authTokenTtlSeconds etcd's {@code --auth-token-ttl}, positive
 * @param maxConcurrentStreams etcd's {@code --max-concurrent-streams}, positive (its default, 2^32-1, as
 *     {@link Integer#MAX_VALUE}: no limit)
 */
record ServerOptions(String name, Path dataDir, List<URI> listenClientUrls, List<URI> listenClientHttpUrls,
        List<URI> listenMetricsUrls, List<URI> advertiseClientUrls,
        List<URI> listenPeerUrls, List<URI> initialAdvertisePeerUrls, Map<String, List<URI>> initialCluster,
        ClusterState initialClusterState, String initialClusterToken, int maxRequestBytes, int maxTxnOps,
        String storage, List<String> transports, boolean debug, String peerTransport, long snapshotCount,
        Path faultInjectionFile, Optional<TlsConfig> clientTls, Optional<TlsConfig> peerTls,
        MaintenanceOptions maintenance, LogSetup.Settings log, String authToken,
        long authTokenTtlSeconds, int maxConcurrentStreams) {

    /** etcd's {@code --initial-cluster-state}. */
    enum ClusterState { NEW, EXISTING }

    /** What the command line asks for: help, the version, or a server with these options. */
    sealed interface Request permits Help, Version, Run {}

    record Help() implements Request {}

    record Version() implements Request {}

    /** A server to run; {@code warnings} are to be printed first (ignored and shadowed settings). */
    record Run(ServerOptions options, List<String> warnings) implements Request {
        Run {
            warnings = List.copyOf(warnings);
        }
    }

    private static final Pattern PROVIDER_ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    ServerOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataDir, "dataDir");
        listenClientUrls = List.copyOf(listenClientUrls);
        listenClientHttpUrls = List.copyOf(listenClientHttpUrls);
        listenMetricsUrls = List.copyOf(listenMetricsUrls);
        advertiseClientUrls = List.copyOf(advertiseClientUrls);
        listenPeerUrls = List.copyOf(listenPeerUrls);
        initialAdvertisePeerUrls = List.copyOf(initialAdvertisePeerUrls);
        initialCluster = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initialCluster));
        Objects.requireNonNull(initialClusterState, "initialClusterState");
        Objects.requireNonNull(initialClusterToken, "initialClusterToken");
        Objects.requireNonNull(storage, "storage");
        transports = List.copyOf(transports);
    }

    /** Reads a server command line without environment variables (tests). */
    static Request parse(List<String> args, Path workingDirectory) throws UsageException {
        return parse(args, Map.of(), workingDirectory);
    }

    /**
     * Reads a server command line, etcd's {@code ETCD_*} environment variables as {@code CAIRN_*},
     * and the configuration file, with etcd's precedence: a flag on the command line wins over its
     * environment variable; when a configuration file is given ({@code --config-file} or
     * {@code CAIRN_CONFIG_FILE}), it alone counts and the other flags and variables are ignored
     * (each ignored one is named in a warning).
     *
     * <p>Flags are written {@code --flag value}, {@code --flag=value}, or with a single dash, as
     * Go's flag package (and so etcd) accepts them; a flag given twice keeps its last value.
     *
     * @param args the arguments after the command name; not modified
     * @param environment the process environment (only {@code CAIRN_*} names are read)
     * @param workingDirectory what relative paths (data directory, files) are relative to
     * @throws UsageException naming the flag (and where its value came from, when not the command
     *     line), for an unknown flag, a missing value or a bad value
     */
    static Request parse(List<String> args, Map<String, String> environment, Path workingDirectory)
            throws UsageException {
        Map<Flag, String> commandLine = commandLine(args);
        if (bool(commandLine, Flag.HELP)) {
            return new Help();
        }
        if (bool(commandLine, Flag.VERSION)) {
            return new Version();
        }
        List<String> warnings = new ArrayList<>();
        Map<Flag, String> fromEnvironment = new EnumMap<>(Flag.class);
        for (Map.Entry<String, String> variable : new java.util.TreeMap<>(environment).entrySet()) {
            String key = variable.getKey();
            if (!key.startsWith("CAIRN_") || LAUNCHER_VARIABLES.contains(key)) {
                continue;
            }
            Optional<Flag> flag = java.util.Arrays.stream(Flag.values())
                    .filter(f -> f.environmentName().equals(key) && f != Flag.HELP && f != Flag.VERSION).findFirst();
            if (flag.isEmpty()) {
                warnings.add("unrecognized environment variable " + key + "=" + variable.getValue());
            } else {
                fromEnvironment.put(flag.get(), variable.getValue());
            }
        }
        Map<Flag, String> origins = new EnumMap<>(Flag.class);
        String configFile = commandLine.getOrDefault(Flag.CONFIG_FILE, fromEnvironment.getOrDefault(Flag.CONFIG_FILE, ""));
        Map<Flag, String> given;
        if (!configFile.isEmpty()) {
            Path file = path(workingDirectory, Flag.CONFIG_FILE, configFile);
            ConfigFile.Contents contents = ConfigFile.read(file);
            given = new EnumMap<>(contents.values());
            contents.keys().forEach((flag, key) -> origins.put(flag, "key " + key + " of config file " + file));
            warnings.addAll(contents.warnings());
            for (Flag ignored : commandLine.keySet()) {
                if (ignored != Flag.CONFIG_FILE) {
                    warnings.add("flag " + ignored + " is ignored: with a config file, other flags and environment"
                            + " variables are ignored (as in etcd)");
                }
            }
            for (Flag ignored : fromEnvironment.keySet()) {
                if (ignored != Flag.CONFIG_FILE) {
                    warnings.add("environment variable " + ignored.environmentName() + " is ignored: with a config file,"
                            + " other flags and environment variables are ignored (as in etcd)");
                }
            }
        } else {
            given = new EnumMap<>(Flag.class);
            fromEnvironment.forEach((flag, value) -> {
                if (commandLine.containsKey(flag)) {
                    // etcd's words
                    warnings.add("recognized environment variable " + flag.environmentName()
                            + ", but unused: shadowed by corresponding flag");
                } else {
                    given.put(flag, value);
                    origins.put(flag, "environment variable " + flag.environmentName());
                }
            });
            given.putAll(commandLine);
        }
        try {
            return new Run(fromFlags(given, workingDirectory), warnings);
        } catch (UsageException e) {
            throw withOrigins(e, origins);
        }
    }

    /** Variables the launcher (bin/cairn) reads itself: not flags. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("CAIRN_JAVA_OPTS", "CAIRN_HOME", "CAIRN_MIN_JAVA",
            "CAIRN_CLUSTER_PORTS");

    /** The flags on the command line, by flag; the last of a repeated flag wins. */
    private static Map<Flag, String> commandLine(List<String> args) throws UsageException {
        Map<Flag, String> given = new EnumMap<>(Flag.class);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw new UsageException("unexpected argument '" + arg + "': flags start with --, such as --name n1");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            int equals = body.indexOf('=');
            String written = equals < 0 ? body : body.substring(0, equals);
            String flagName = written.equals("h") ? Flag.HELP.name : written;
            Flag flag = Flag.byName(flagName).orElseThrow(() -> new UsageException(
                    "unknown flag --" + flagName + " (cairn --help lists the flags)"));
            String value;
            if (equals >= 0) {
                value = body.substring(equals + 1);
            } else if (flag.isBoolean()) {
                value = "true";
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(flag + " needs a value");
            }
            given.put(flag, value);
        }
        return given;
    }

    /**
     * A refusal names flags as {@code --flag}; for a value that came from an environment variable
     * or the config file, say so, or the user looks for it on the command line in vain.
     */
    private static UsageException withOrigins(UsageException e, Map<Flag, String> origins) {
        StringBuilder message = new StringBuilder(e.getMessage());
        origins.forEach((flag, origin) -> {
            if (Pattern.compile(Pattern.quote(flag.toString()) + "(?![A-Za-z0-9-])").matcher(e.getMessage()).find()) {
                message.append(" (").append(flag).append(" is set by ").append(origin).append(')');
            }
        });
        return new UsageException(message.toString());
    }

    private static ServerOptions fromFlags(Map<Flag, String> given, Path workingDirectory) throws UsageException {
        String name = value(given, Flag.NAME);
        if (name.isEmpty()) {
            throw new UsageException(Flag.NAME + " must not be empty");
        }
        String dataDirText = given.getOrDefault(Flag.DATA_DIR, name + ".cairn");
        if (dataDirText.isEmpty()) {
            throw new UsageException(Flag.DATA_DIR + " must not be empty");
        }
        Path dataDir;
        try {
            dataDir = workingDirectory.resolve(dataDirText).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException(Flag.DATA_DIR + ": '" + dataDirText + "' is not a usable path: " + e.getReason());
        }

        List<URI> listenClientUrls = listenUrls(Flag.LISTEN_CLIENT_URLS, value(given, Flag.LISTEN_CLIENT_URLS));
        List<URI> advertiseClientUrls = given.containsKey(Flag.ADVERTISE_CLIENT_URLS)
                ? urls(Flag.ADVERTISE_CLIENT_URLS, given.get(Flag.ADVERTISE_CLIENT_URLS))
                : List.of();
        List<URI> peerListenUrls = listenUrls(Flag.LISTEN_PEER_URLS, value(given, Flag.LISTEN_PEER_URLS));
        List<URI> advertisePeerUrls = urls(Flag.INITIAL_ADVERTISE_PEER_URLS, value(given, Flag.INITIAL_ADVERTISE_PEER_URLS));
        List<URI> listenClientHttpUrls = httpUrls(given.get(Flag.LISTEN_CLIENT_HTTP_URLS), listenClientUrls,
                given.containsKey(Flag.LISTEN_PEER_URLS) ? peerListenUrls : List.of());
        List<URI> listenMetricsUrls = metricsUrls(value(given, Flag.LISTEN_METRICS_URLS), listenClientUrls,
                listenClientHttpUrls, given.containsKey(Flag.LISTEN_PEER_URLS) ? peerListenUrls : List.of());

        // etcd's literal default is "default=http://localhost:2380", which refuses every other --name;
        // deriving it from this member makes `cairn --name n1` work on its own.
        String clusterText = given.getOrDefault(Flag.INITIAL_CLUSTER,
                String.join(",", advertisePeerUrls.stream().map(url -> name + "=" + url).toList()));
        Map<String, List<URI>> initialCluster = initialCluster(clusterText);
        checkOwnEntry(name, initialCluster, advertisePeerUrls);
        List<URI> listenPeerUrls = initialCluster.size() > 1 || given.containsKey(Flag.LISTEN_PEER_URLS)
                ? peerListenUrls : List.of();

        ClusterState state = switch (value(given, Flag.INITIAL_CLUSTER_STATE)) {
            case "new" -> ClusterState.NEW;
            case "existing" -> ClusterState.EXISTING;
            default -> throw new UsageException(Flag.INITIAL_CLUSTER_STATE + " must be new or existing, got '"
                    + given.get(Flag.INITIAL_CLUSTER_STATE) + "'");
        };
        String token = value(given, Flag.INITIAL_CLUSTER_TOKEN);
        if (token.isEmpty()) {
            throw new UsageException(Flag.INITIAL_CLUSTER_TOKEN + " must not be empty");
        }
        int maxRequestBytes = positiveInt(given, Flag.MAX_REQUEST_BYTES);
        int maxTxnOps = positiveInt(given, Flag.MAX_TXN_OPS);

        String storage = value(given, Flag.STORAGE);
        providerId(Flag.STORAGE, storage);
        List<String> transports = new ArrayList<>();
        for (String id : value(given, Flag.TRANSPORT).split(",", -1)) {
            String trimmed = id.trim();
            providerId(Flag.TRANSPORT, trimmed);
            if (transports.contains(trimmed)) {
                throw new UsageException(Flag.TRANSPORT + " names '" + trimmed + "' twice");
            }
            transports.add(trimmed);
        }
        String peerTransport = value(given, Flag.PEER_TRANSPORT);
        providerId(Flag.PEER_TRANSPORT, peerTransport);
        long snapshotCount = positiveInt(given, Flag.SNAPSHOT_COUNT);
        String faultText = value(given, Flag.EXPERIMENTAL_FAULT_INJECTION_FILE);
        Path faultFile = null;
        if (!faultText.isEmpty()) {
            try {
                faultFile = workingDirectory.resolve(faultText).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new UsageException(Flag.EXPERIMENTAL_FAULT_INJECTION_FILE + ": '" + faultText
                        + "' is not a usable path: " + e.getReason());
            }
        }
        TlsConfig.Version minVersion;
        try {
            minVersion = TlsConfig.Version.ofFlagValue(value(given, Flag.TLS_MIN_VERSION));
        } catch (IllegalArgumentException e) {
            throw new UsageException(Flag.TLS_MIN_VERSION + ": " + e.getMessage());
        }
        Optional<TlsConfig> clientTls = tls(given, workingDirectory, Flag.CERT_FILE, Flag.KEY_FILE, Flag.TRUSTED_CA_FILE,
                Flag.CLIENT_CERT_AUTH, minVersion, listenClientUrls, Flag.LISTEN_CLIENT_URLS);
        if (clientTls.isEmpty()) {
            // the HTTP APIs serve TLS with the client side's flags, as etcd serves them on its client URLs
            tls(given, workingDirectory, Flag.CERT_FILE, Flag.KEY_FILE, Flag.TRUSTED_CA_FILE, Flag.CLIENT_CERT_AUTH,
                    minVersion, listenClientHttpUrls, Flag.LISTEN_CLIENT_HTTP_URLS);
            tls(given, workingDirectory, Flag.CERT_FILE, Flag.KEY_FILE, Flag.TRUSTED_CA_FILE, Flag.CLIENT_CERT_AUTH,
                    minVersion, listenMetricsUrls, Flag.LISTEN_METRICS_URLS);
        }
        Optional<TlsConfig> peerTls = tls(given, workingDirectory, Flag.PEER_CERT_FILE, Flag.PEER_KEY_FILE,
                Flag.PEER_TRUSTED_CA_FILE, Flag.PEER_CLIENT_CERT_AUTH, minVersion, peerListenUrls, Flag.LISTEN_PEER_URLS);
        return new ServerOptions(name, dataDir, listenClientUrls, listenClientHttpUrls, listenMetricsUrls,
                advertiseClientUrls, listenPeerUrls,
                advertisePeerUrls, initialCluster, state, token, maxRequestBytes, maxTxnOps, storage, transports,
                bool(given, Flag.DEBUG), peerTransport, snapshotCount, faultFile, clientTls, peerTls,
                MaintenanceOptions.fromFlags(given), logSettings(given),
                authToken(given, workingDirectory), positiveInt(given, Flag.AUTH_TOKEN_TTL), maxConcurrentStreams(given));
    }

    /** {@code --log-level} (etcd's names) and {@code --log-format}. */
    static LogSetup.Settings logSettings(Map<Flag, String> given) throws UsageException {
        String levelText = value(given, Flag.LOG_LEVEL).trim().toLowerCase(Locale.ROOT);
        LogSetup.Level level = switch (levelText) {
            case "debug" -> LogSetup.Level.DEBUG;
            case "info" -> LogSetup.Level.INFO;
            case "warn", "warning" -> LogSetup.Level.WARN;
            case "error", "dpanic", "panic", "fatal" -> LogSetup.Level.ERROR;
            default -> throw new UsageException(Flag.LOG_LEVEL + " must be debug, info, warn or error, got '"
                    + value(given, Flag.LOG_LEVEL) + "'");
        };
        LogSetup.Format format = switch (value(given, Flag.LOG_FORMAT).trim().toLowerCase(Locale.ROOT)) {
            case "text", "console" -> LogSetup.Format.TEXT;
            case "json" -> LogSetup.Format.JSON;
            default -> throw new UsageException(Flag.LOG_FORMAT + " must be text or json, got '"
                    + value(given, Flag.LOG_FORMAT) + "'");
        };
        return new LogSetup.Settings(level, format);
    }

    private static int maxConcurrentStreams(Map<Flag, String> given) throws UsageException {
        String text = value(given, Flag.MAX_CONCURRENT_STREAMS);
        long streams;
        try {
            streams = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException(Flag.MAX_CONCURRENT_STREAMS + " must be a positive number, got '" + text + "'");
        }
        if (streams <= 0 || streams > 4294967295L) {
            throw new UsageException(Flag.MAX_CONCURRENT_STREAMS + " must be in [1, 4294967295], got " + text);
        }
        return (int) Math.min(Integer.MAX_VALUE, streams);
    }

    /** etcd's {@code --auth-token}, with the jwt key paths resolved against the working directory. */
    private static String authToken(Map<Flag, String> given, Path workingDirectory) throws UsageException {
        String spec = value(given, Flag.AUTH_TOKEN);
        String[] parts = spec.split(",", -1);
        if (!parts[0].equals("simple") && !parts[0].equals("jwt")) {
            throw new UsageException(Flag.AUTH_TOKEN + " must be simple or jwt,..., got '" + spec + "'");
        }
        StringBuilder resolved = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("pub-key=") || part.startsWith("priv-key=")) {
                int eq = part.indexOf('=');
                part = part.substring(0, eq + 1) + workingDirectory.resolve(part.substring(eq + 1)).toAbsolutePath().normalize();
            }
            resolved.append(',').append(part);
        }
        return resolved.toString();
    }

    /**
     * etcd's TLS flags of one side (client or peer): none given, no TLS; https listen URLs need the
     * certificate and key; client cert auth needs the trusted CA.
     */
    private static Optional<TlsConfig> tls(Map<Flag, String> given, Path workingDirectory, Flag certFlag, Flag keyFlag,
            Flag caFlag, Flag authFlag, TlsConfig.Version minVersion, List<URI> listenUrls, Flag urlsFlag)
            throws UsageException {
        String cert = value(given, certFlag);
        String key = value(given, keyFlag);
        String ca = value(given, caFlag);
        boolean auth = bool(given, authFlag);
        boolean https = listenUrls.stream().anyMatch(url -> url.getScheme().equals("https"));
        if (cert.isEmpty() && key.isEmpty()) {
            if (https) {
                throw new UsageException(urlsFlag + " uses https: give " + certFlag + " and " + keyFlag);
            }
            if (auth || !ca.isEmpty()) {
                throw new UsageException(authFlag + " and " + caFlag + " need " + certFlag + " and " + keyFlag);
            }
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new UsageException((cert.isEmpty() ? certFlag : keyFlag) + " is needed with "
                    + (cert.isEmpty() ? keyFlag : certFlag));
        }
        if (auth && ca.isEmpty()) {
            throw new UsageException(authFlag + " needs " + caFlag);
        }
        TlsConfig config = TlsConfig.of(path(workingDirectory, certFlag, cert), path(workingDirectory, keyFlag, key))
                .withMinVersion(minVersion);
        if (!ca.isEmpty()) {
            config = auth ? config.withClientCertAuth(path(workingDirectory, caFlag, ca))
                    : config.withTrustedCa(Optional.of(path(workingDirectory, caFlag, ca)));
        }
        return Optional.of(config);
    }

    private static Path path(Path workingDirectory, Flag flag, String text) throws UsageException {
        try {
            return workingDirectory.resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException(flag + ": '" + text + "' is not a usable path: " + e.getReason());
        }
    }

    static String value(Map<Flag, String> given, Flag flag) {
        return given.getOrDefault(flag, flag.defaultValue);
    }

    private static boolean bool(Map<Flag, String> given, Flag flag) throws UsageException {
        String text = given.getOrDefault(flag, flag.defaultValue).toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "1", "t" -> true;
            case "false", "0", "f" -> false;
            default -> throw new UsageException(flag + " takes true or false, got '" + given.get(flag) + "'");
        };
    }

    private static int positiveInt(Map<Flag, String> given, Flag flag) throws UsageException {
        String text = value(given, flag);
        try {
            int parsed = Integer.parseInt(text.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the flag's name
        }
        throw new UsageException(flag + " must be a positive whole number up to " + Integer.MAX_VALUE + ", got '"
                + text + "'");
    }

    private static void providerId(Flag flag, String id) throws UsageException {
        if (!PROVIDER_ID.matcher(id).matches()) {
            throw new UsageException(flag + ": '" + id + "' is not a provider id (lower-case letters, digits and -;"
                    + " cairn plugins lists them)");
        }
    }

    /**
     * {@code --listen-client-http-urls}: as given ("none": off), or by default each client URL with
     * its port + 1, or + 2 where + 1 is a peer URL (etcd's usual 2379/2380; port 0 stays 0: any free
     * port), with the client URL's scheme (an https client URL gets an https twin, served with the
     * client TLS flags). None may also be a client or peer URL: gRPC, peers and HTTP cannot share a port here.
     */
    private static List<URI> httpUrls(String text, List<URI> clientUrls, List<URI> peerUrls) throws UsageException {
        if (text != null && text.trim().equals("none")) {
            return List.of();
        }
        List<URI> http;
        if (text == null) {
            http = new ArrayList<>();
            for (URI client : clientUrls) {
                URI next = withPort(client, client.getPort() == 0 ? 0 : client.getPort() + 1);
                if (next.getPort() != 0 && peerUrls.contains(next)) {
                    next = withPort(client, client.getPort() + 2);
                }
                if (next.getPort() > 65535) {
                    throw new UsageException(Flag.LISTEN_CLIENT_URLS + " " + client + " leaves no free port above it for"
                            + " HTTP; give " + Flag.LISTEN_CLIENT_HTTP_URLS + " (or 'none')");
                }
                http.add(next);
            }
        } else {
            http = listenUrls(Flag.LISTEN_CLIENT_HTTP_URLS, text);
        }
        for (URI url : http) {
            if (url.getPort() != 0 && clientUrls.contains(url)) {
                throw new UsageException(Flag.LISTEN_CLIENT_HTTP_URLS + " " + url + " is also a client URL;"
                        + " HTTP needs a port of its own");
            }
            if (url.getPort() != 0 && peerUrls.contains(url)) {
                throw new UsageException(Flag.LISTEN_CLIENT_HTTP_URLS + " " + url + " is also a peer URL;"
                        + " HTTP needs a port of its own");
            }
        }
        return List.copyOf(http);
    }

    /**
     * {@code --listen-metrics-urls}: empty for none; else listen URLs, none of which may also be a
     * client, HTTP or peer URL (each listener needs a port of its own).
     */
    private static List<URI> metricsUrls(String text, List<URI> clientUrls, List<URI> httpUrls, List<URI> peerUrls)
            throws UsageException {
        if (text.trim().isEmpty()) {
            return List.of();
        }
        List<URI> metrics = listenUrls(Flag.LISTEN_METRICS_URLS, text);
        for (URI url : metrics) {
            if (url.getPort() == 0) {
                continue;
            }
            Flag other = clientUrls.contains(url) ? Flag.LISTEN_CLIENT_URLS
                    : httpUrls.contains(url) ? Flag.LISTEN_CLIENT_HTTP_URLS
                    : peerUrls.contains(url) ? Flag.LISTEN_PEER_URLS : null;
            if (other != null) {
                throw new UsageException(Flag.LISTEN_METRICS_URLS + " " + url + " is also in " + other
                        + "; the metrics endpoint needs a port of its own");
            }
        }
        return metrics;
    }

    private static URI withPort(URI url, int port) {
        return URI.create(url.getScheme() + "://" + hostForUrl(url) + ":" + port);
    }

    private static String hostForUrl(URI url) {
        return url.getRawAuthority().substring(0, url.getRawAuthority().lastIndexOf(':'));
    }

    /** Listen URLs: as {@link #urls}, with {@code localhost} bound as 127.0.0.1 and no repeats. */
    private static List<URI> listenUrls(Flag flag, String text) throws UsageException {
        Set<URI> unique = new LinkedHashSet<>();
        for (URI url : urls(flag, text)) {
            URI bound = "localhost".equalsIgnoreCase(url.getHost())
                    ? URI.create(url.getScheme() + "://127.0.0.1:" + url.getPort())
                    : url;
            if (!unique.add(bound)) {
                throw new UsageException(flag + " lists " + url + " twice");
            }
        }
        return List.copyOf(unique);
    }

    /** Comma-separated {@code http://host:port} URLs, normalized to exactly that form. */
    static List<URI> urls(Flag flag, String text) throws UsageException {
        List<URI> parsed = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            parsed.add(url(flag, part.trim()));
        }
        return parsed;
    }

    private static URI url(Flag flag, String text) throws UsageException {
        if (text.isEmpty()) {
            throw new UsageException(flag + " has an empty URL (in a comma-separated list: " + flag
                    + " http://127.0.0.1:2379,http://10.0.0.1:2379)");
        }
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageException(flag + ": '" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http" -> { }
            case "https" -> { } // needs the TLS flags of its side: checked with them
            case "unix", "unixs" -> throw new UsageException(flag + ": " + text
                    + ": unix sockets are not supported; use http://host:port");
            default -> throw new UsageException(flag + ": '" + text + "' must look like http://host:port");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new UsageException(flag + ": '" + text + "' has no host (http://host:port)");
        }
        if (url.getPort() < 0) {
            throw new UsageException(flag + ": '" + text + "' has no port (http://host:port)");
        }
        String path = url.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || url.getRawQuery() != null
                || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new UsageException(flag + ": '" + text + "' must be only http://host:port");
        }
        return URI.create(scheme + "://" + url.getRawAuthority().toLowerCase(Locale.ROOT));
    }

    static Map<String, List<URI>> initialCluster(String text) throws UsageException {
        Map<String, List<URI>> members = new LinkedHashMap<>();
        for (String entry : text.split(",", -1)) {
            String trimmed = entry.trim();
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new UsageException(Flag.INITIAL_CLUSTER + ": '" + trimmed
                        + "' is not name=peer-url (such as n1=http://127.0.0.1:2380)");
            }
            String member = trimmed.substring(0, equals);
            URI url = url(Flag.INITIAL_CLUSTER, trimmed.substring(equals + 1).trim());
            List<URI> urls = members.computeIfAbsent(member, k -> new ArrayList<>());
            if (urls.contains(url)) {
                throw new UsageException(Flag.INITIAL_CLUSTER + " lists " + member + "=" + url + " twice");
            }
            urls.add(url);
        }
        return members;
    }

    private static void checkOwnEntry(String name, Map<String, List<URI>> cluster, List<URI> advertisePeerUrls)
            throws UsageException {
        List<URI> ours = cluster.get(name);
        if (ours == null) {
            throw new UsageException(Flag.INITIAL_CLUSTER + " has no member named '" + name + "' (the " + Flag.NAME
                    + "); it names " + String.join(", ", cluster.keySet()));
        }
        if (!Set.copyOf(ours).equals(Set.copyOf(advertisePeerUrls))) {
            throw new UsageException(Flag.INITIAL_CLUSTER + " has " + name + "=" + joined(ours) + " but "
                    + Flag.INITIAL_ADVERTISE_PEER_URLS + " is " + joined(advertisePeerUrls) + "; they must match");
        }
    }

    private static String joined(List<URI> urls) {
        return String.join(",", urls.stream().map(URI::toString).toList());
    }
}
