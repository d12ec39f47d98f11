package io.cairn.distribution;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * etcd's YAML configuration file ({@code --config-file}, etcd's {@code etcd.conf.yml}): a mapping
 * whose keys are the flags' names without {@code --}, except TLS, which sits in the sections
 * {@code client-transport-security} and {@code peer-transport-security} with the keys
 * {@code cert-file}, {@code key-file}, {@code trusted-ca-file} and {@code client-cert-auth}.
 *
 * <p>Values may be YAML strings, numbers or booleans; a list is joined with commas (so URLs may be
 * written as a list); {@code null} or an empty value leaves the flag's default. etcd keys Cairn has
 * no setting for are ignored with a warning (so etcd's sample file works); any other key is an
 * error, naming it (etcd would ignore a misspelt key silently).
 */
final class ConfigFile {

    /** The flags the file sets, what each came from (for messages), and warnings to print. */
    record Contents(Map<Flag, String> values, Map<Flag, String> keys, List<String> warnings) {}

    static final String CLIENT_SECURITY = "client-transport-security";
    static final String PEER_SECURITY = "peer-transport-security";

    /** Flags that make no sense in the file itself. */
    private static final Set<Flag> NOT_IN_FILE = Set.of(Flag.CONFIG_FILE, Flag.HELP, Flag.VERSION);

    /** Keys of the TLS sections and the flag of the client side; the peer side prefixes "peer-". */
    private static final Set<String> SECURITY_KEYS = Set.of("cert-file", "key-file", "trusted-ca-file", "client-cert-auth");

    /** etcd 3.4/3.5 keys (etcd.conf.yml) that Cairn has no setting for: ignored with a warning. */
    private static final Set<String> ETCD_ONLY_KEYS = Set.of("wal-dir", "heartbeat-interval", "election-timeout",
            "quota-backend-bytes", "max-snapshots", "max-wals", "cors", "host-whitelist", "discovery",
            "discovery-fallback", "discovery-proxy", "discovery-srv", "discovery-srv-name", "strict-reconfig-check",
            "enable-v2", "enable-pprof", "proxy", "proxy-failure-wait", "proxy-refresh-interval", "proxy-dial-timeout",
            "proxy-write-timeout", "proxy-read-timeout", "logger", "log-outputs", "log-package-levels",
            "force-new-cluster", "auto-compaction-mode", "auto-compaction-retention", "cipher-suites",
            "tls-max-version", "enable-grpc-gateway", "metrics", "unsafe-no-fsync",
            "initial-election-tick-advance", "pre-vote", "backend-batch-interval", "backend-batch-limit",
            "grpc-keepalive-min-time", "grpc-keepalive-interval", "grpc-keepalive-timeout", "enable-log-rotation",
            "log-rotation-config-json", "socket-reuse-port", "socket-reuse-address", "auth-token", "bcrypt-cost",
            "auth-token-ttl", "self-signed-cert-validity", "max-learners");
    /** Keys of etcd's TLS sections that Cairn does not implement. */
    private static final Set<String> ETCD_ONLY_SECURITY_KEYS = Set.of("auto-tls", "crl-file", "allowed-cn",
            "allowed-hostname", "skip-client-san-verification");

    private ConfigFile() {}

    /**
     * Reads {@code file}.
     *
     * @throws UsageException naming the file (and the key, line or column) when it cannot be read,
     *     is not YAML, is not a mapping, or has a key that is neither a flag nor one of etcd's
     */
    static Contents read(Path file) throws UsageException {
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (NoSuchFileException e) {
            throw new UsageException(Flag.CONFIG_FILE + ": no such file " + file);
        } catch (AccessDeniedException e) {
            throw new UsageException(Flag.CONFIG_FILE + ": cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new UsageException(Flag.CONFIG_FILE + ": cannot read " + file + ": " + e);
        } catch (YAMLException e) {
            throw new UsageException("config file " + file + " is not valid YAML: " + oneLine(e.getMessage()));
        }
        Map<Flag, String> values = new EnumMap<>(Flag.class);
        Map<Flag, String> keys = new EnumMap<>(Flag.class);
        List<String> warnings = new ArrayList<>();
        if (document == null) {
            return new Contents(values, keys, warnings); // an empty file sets nothing
        }
        if (!(document instanceof Map<?, ?> top)) {
            throw new UsageException("config file " + file + " must be a mapping of keys to values (name: n1), not a "
                    + kind(document));
        }
        for (Map.Entry<?, ?> entry : top.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            if (key.equals(CLIENT_SECURITY) || key.equals(PEER_SECURITY)) {
                readSecurity(file, key, value, values, keys, warnings);
                continue;
            }
            Flag flag = Flag.byName(key).orElse(null);
            if (flag == null) {
                if (ETCD_ONLY_KEYS.contains(key) || key.startsWith("experimental-")) {
                    if (isSet(value)) {
                        warnings.add("config file " + file + ": key " + key + " is ignored: Cairn has no such setting");
                    }
                    continue;
                }
                throw new UsageException("config file " + file + ": unknown key '" + key + "' (keys are the flags'"
                        + " names without --, TLS goes in " + CLIENT_SECURITY + " and " + PEER_SECURITY
                        + "; cairn --help lists the flags)");
            }
            if (NOT_IN_FILE.contains(flag)) {
                throw new UsageException("config file " + file + ": key " + key + " cannot be set in a config file");
            }
            put(file, key, flag, value, values, keys);
        }
        return new Contents(values, keys, warnings);
    }

    private static void readSecurity(Path file, String section, Object value, Map<Flag, String> values,
            Map<Flag, String> keys, List<String> warnings) throws UsageException {
        if (value == null) {
            return;
        }
        if (!(value instanceof Map<?, ?> entries)) {
            throw new UsageException("config file " + file + ": " + section + " must be a section with keys "
                    + String.join(", ", SECURITY_KEYS.stream().sorted().toList()) + ", not a " + kind(value));
        }
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String path = section + "." + key;
            if (SECURITY_KEYS.contains(key)) {
                Flag flag = Flag.byName(section.equals(PEER_SECURITY) ? "peer-" + key : key).orElseThrow();
                put(file, path, flag, entry.getValue(), values, keys);
            } else if (ETCD_ONLY_SECURITY_KEYS.contains(key)) {
                if (isSet(entry.getValue())) {
                    warnings.add("config file " + file + ": key " + path + " is ignored: Cairn has no such setting");
                }
            } else {
                throw new UsageException("config file " + file + ": unknown key '" + path + "' (" + section
                        + " takes " + String.join(", ", SECURITY_KEYS.stream().sorted().toList()) + ")");
            }
        }
    }

    private static void put(Path file, String key, Flag flag, Object value, Map<Flag, String> values,
            Map<Flag, String> keys) throws UsageException {
        if (value == null) {
            return; // `key:` with nothing after it: the default, as an empty value in etcd's file
        }
        String text;
        if (value instanceof Map<?, ?>) {
            throw new UsageException("config file " + file + ": key " + key + " takes a value, not a section");
        } else if (value instanceof Collection<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object element : list) {
                if (element instanceof Map<?, ?> || element instanceof Collection<?> || element == null) {
                    throw new UsageException("config file " + file + ": key " + key
                            + " takes a value or a list of values, not a " + kind(element));
                }
                parts.add(String.valueOf(element));
            }
            text = String.join(",", parts);
        } else {
            text = String.valueOf(value);
        }
        if (text.isEmpty() && flag.defaultValue != null && !flag.defaultValue.isEmpty()) {
            return; // etcd's sample file writes '' for "the default"
        }
        values.put(flag, text);
        keys.put(flag, key);
    }

    /** Whether an ignored etcd key asks for something: a value other than empty, false or zero. */
    private static boolean isSet(Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return false;
        }
        if (value instanceof Number number) {
            return number.doubleValue() != 0;
        }
        if (value instanceof Collection<?> list) {
            return !list.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return !String.valueOf(value).isEmpty();
    }

    private static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map<?, ?>) {
            return "section";
        }
        if (value instanceof Collection<?>) {
            return "list";
        }
        return "value (" + value + ")";
    }

    private static String oneLine(String message) {
        return message == null ? "" : String.join(" ", message.strip().lines().map(String::strip).toList());
    }
}
