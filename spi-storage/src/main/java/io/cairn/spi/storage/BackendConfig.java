package io.cairn.spi.storage;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to open: a directory, the keyspaces to use in it, and provider-specific options.
 *
 * @param directory where the backend's files live; created if missing
 * @param keyspaces names of {@code [a-z][a-z0-9_]{0,63}}, at least one; missing ones are created
 * @param options provider-specific tuning, keyed {@code <provider id>.<name>}; a provider ignores
 *     keys of other providers and rejects unknown keys of its own with an {@link IllegalArgumentException}
 */
public record BackendConfig(Path directory, Set<String> keyspaces, Map<String, String> options) {

    private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public BackendConfig {
        Objects.requireNonNull(directory, "directory is null");
        Objects.requireNonNull(keyspaces, "keyspaces is null");
        Objects.requireNonNull(options, "options is null");
        if (keyspaces.isEmpty()) {
            throw new IllegalArgumentException("a backend needs at least one keyspace");
        }
        for (String keyspace : keyspaces) {
            if (keyspace == null || !KEYSPACE_NAME.matcher(keyspace).matches()) {
                throw new IllegalArgumentException(
                        "invalid keyspace name '" + keyspace + "': expected " + KEYSPACE_NAME.pattern());
            }
        }
        keyspaces = Set.copyOf(new LinkedHashSet<>(keyspaces));
        options = Map.copyOf(options);
    }

    public static BackendConfig of(Path directory, Collection<String> keyspaces) {
        return new BackendConfig(directory, new LinkedHashSet<>(keyspaces), Map.of());
    }

    public static BackendConfig of(Path directory, String... keyspaces) {
        return of(directory, java.util.List.of(keyspaces));
    }

    /** The same keyspaces and options on another directory (to open a checkpoint, for instance). */
    public BackendConfig withDirectory(Path other) {
        return new BackendConfig(other, keyspaces, options);
    }
}
