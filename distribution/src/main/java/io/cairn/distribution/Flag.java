package io.cairn.distribution;

import java.util.Arrays;
import java.util.Optional;

/**
 * The server's command-line flags: etcd's names and defaults wherever etcd has the flag, so that an
 * etcd command line for a one-member cluster works unchanged, plus Cairn's own ({@code --storage},
 * {@code --transport}, {@code --debug}).
 *
 * <p>A default written as {@code null} is derived from other flags (see {@link ServerOptions#parse}).
 */
enum Flag {
    NAME("name", "default", "Human-readable name of this member."),
    DATA_DIR("data-dir", null, "Path to the data directory (default: ${name}.cairn in the working directory;"
            + " etcd's is ${name}.etcd, a different format)."),
    LISTEN_CLIENT_URLS("listen-client-urls", "http://localhost:2379",
            "Comma-separated URLs to listen on for client traffic (localhost binds 127.0.0.1; port 0: any free port)."),
    LISTEN_CLIENT_HTTP_URLS("listen-client-http-urls", null,
            "Comma-separated URLs to serve etcd's HTTP APIs on (v3 JSON gateway, v2 keys, /health, /version,"
                    + " /metrics) when the http transport is in lib/ (default: each client URL with its port + 1,"
                    + " or + 2 where + 1 is a peer URL, as 2380 is in etcd's usual set-up; https for an https client URL,"
                    + " with the client TLS flags; 'none': off)."),
    LISTEN_METRICS_URLS("listen-metrics-urls", "",
            "List of URLs to listen on for the metrics and health endpoints (/metrics, /health; needs the http"
                    + " transport in lib/; https with the client TLS flags, as the client URLs)."),
    ADVERTISE_CLIENT_URLS("advertise-client-urls", null,
            "Comma-separated client URLs of this member, told to clients (default: the bound listen URLs)."),
    LISTEN_PEER_URLS("listen-peer-urls", "http://localhost:2380",
            "Comma-separated URLs to listen on for peer traffic (a one-member cluster listens only when this flag"
                    + " is given)."),
    INITIAL_ADVERTISE_PEER_URLS("initial-advertise-peer-urls", "http://localhost:2380",
            "Comma-separated peer URLs of this member, recorded in the member list."),
    INITIAL_CLUSTER("initial-cluster", null,
            "Initial cluster configuration, name=peer-url,... (default: ${name}=${initial-advertise-peer-urls});"
                    + " must include this member."),
    INITIAL_CLUSTER_STATE("initial-cluster-state", "new",
            "new: bootstrap a new cluster; existing: join a running cluster (after member add) or restart."),
    INITIAL_CLUSTER_TOKEN("initial-cluster-token", "etcd-cluster",
            "Initial cluster token; the cluster id derives from it and the initial cluster."),
    MAX_REQUEST_BYTES("max-request-bytes", "1572864", "Maximum client request size in bytes the server accepts."),
    MAX_TXN_OPS("max-txn-ops", "128", "Maximum number of operations permitted in a transaction."),
    MAX_CONCURRENT_STREAMS("max-concurrent-streams", "4294967295",
            "Maximum concurrent streams that each client gRPC connection can hold open (above 2^31-1: no limit)."),
    STORAGE("storage", "rocksdb", "Storage provider id (see `cairn plugins`)."),
    TRANSPORT("transport", "grpc", "Comma-separated client transport provider ids (see `cairn plugins`)."),
    PEER_TRANSPORT("peer-transport", "grpc", "Transport provider id carrying peer traffic (see `cairn plugins`)."),
    SNAPSHOT_COUNT("snapshot-count", "10000", "Number of committed transactions to trigger a snapshot to disk."),
    EXPERIMENTAL_FAULT_INJECTION_FILE("experimental-fault-injection-file", "",
            "Tests only: a file the member polls for peer faults to inject (lines: drop <member-id-hex>,"
                    + " delay <member-id-hex> <millis>)."),
    CERT_FILE("cert-file", "", "Path to the client server TLS cert file (PEM; needed by https client URLs)."),
    KEY_FILE("key-file", "", "Path to the client server TLS key file (PEM)."),
    TRUSTED_CA_FILE("trusted-ca-file", "", "Path to the client server TLS trusted CA cert file (PEM)."),
    CLIENT_CERT_AUTH("client-cert-auth", "false", "Enable client cert authentication (needs --trusted-ca-file)."),
    PEER_CERT_FILE("peer-cert-file", "", "Path to the peer server TLS cert file (PEM; needed by https peer URLs)."),
    PEER_KEY_FILE("peer-key-file", "", "Path to the peer server TLS key file (PEM)."),
    PEER_TRUSTED_CA_FILE("peer-trusted-ca-file", "", "Path to the peer server TLS trusted CA file (PEM)."),
    PEER_CLIENT_CERT_AUTH("peer-client-cert-auth", "false",
            "Enable peer client cert authentication (needs --peer-trusted-ca-file)."),
    AUTH_TOKEN("auth-token", "simple", "Specify auth token type and options: simple, or"
            + " jwt,pub-key=<pem>,priv-key=<pem>,sign-method=RS256|ES256|...,ttl=5m."),
    AUTH_TOKEN_TTL("auth-token-ttl", "300", "The lifetime in seconds of an unused simple auth token."),
    TLS_MIN_VERSION("tls-min-version", "TLS1.2", "Minimum TLS version supported: TLS1.2 or TLS1.3."),
    QUOTA_BACKEND_BYTES("quota-backend-bytes", "0",
            "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB; negative: no quota)."),
    AUTO_COMPACTION_MODE("auto-compaction-mode", "periodic",
            "Interpret 'auto-compaction-retention' one of: periodic|revision."),
    AUTO_COMPACTION_RETENTION("auto-compaction-retention", "0",
            "Auto compaction retention for mvcc key value store. 0 means disable auto compaction (periodic: a"
                    + " duration such as 5m or 1h, or a number of hours; revision: a number of revisions)."),
    EXPERIMENTAL_AUTO_COMPACTION_CHECK_INTERVAL("experimental-auto-compaction-check-interval", "5m",
            "How often the revision mode of auto-compaction checks (etcd: 5m, fixed); a duration such as 30s."),
    LOG_LEVEL("log-level", "info", "Log level: debug, info, warn or error (etcd's panic and fatal mean error)."),
    LOG_FORMAT("log-format", "text", "Log format on stderr: text (one line per record) or json (one object per line)."),
    CONFIG_FILE("config-file", "",
            "Path to a YAML configuration file with etcd's keys (conf/cairn.yaml is an example). As with etcd,"
                    + " when it is given the other flags and CAIRN_* environment variables are ignored."),
    DEBUG("debug", "false", "Print stack traces with errors."),
    HELP("help", "false", "Show this help and exit."),
    VERSION("version", "false", "Print the version and exit.");

    final String name;
    /** The default as the user would write it, or null when derived from other flags. */
    final String defaultValue;
    final String description;

    Flag(String name, String defaultValue, String description) {
        this.name = name;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Flags that take no value ({@code --debug}, or {@code --debug=false}), as Go's flag package. */
    boolean isBoolean() {
        return this == DEBUG || this == HELP || this == VERSION || this == CLIENT_CERT_AUTH || this == PEER_CLIENT_CERT_AUTH;
    }

    /** etcd's ETCD_NAME for --name becomes CAIRN_NAME: the flag's name in upper snake case. */
    String environmentName() {
        return "CAIRN_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    static Optional<Flag> byName(String name) {
        return Arrays.stream(values()).filter(f -> f.name.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}
