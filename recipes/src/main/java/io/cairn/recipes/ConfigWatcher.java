package io.cairn.recipes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyValue;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * A typed configuration object bound to a key prefix and kept current from a watch. Each key under the
 * prefix is one property: the rest of the key after the prefix is its path ({@code /} separates nested
 * objects) and the value is JSON ({@code 30}, {@code true}, {@code "text"}, {@code [1,2]}, {@code {..}}),
 * or plain text when it is not valid JSON. Jackson binds the assembled tree to the type.
 * {@snippet :
 * public record Limits(int maxConnections, long timeoutMillis, List<String> admins) {}
 * // keys: config/api/maxConnections = 100, config/api/timeoutMillis = 5000, config/api/admins = ["ann"]
 * try (ConfigWatcher<Limits> limits = ConfigWatcher.start(cairn, "config/api", Limits.class,
 *         updated -> server.apply(updated))) {
 *     Limits now = limits.current();
 * }
 * }
 *
 * <p>Guarantees: {@link #current()} is the configuration as of some revision, never a mix of two
 * revisions' changes to one transaction; the listener sees every revision that changed the prefix, in
 * order. Limits: unknown properties are ignored; a change that cannot be bound (a value of the wrong
 * type) keeps the previous configuration and goes to {@link Listener#onInvalid}. Threading: thread-safe;
 * listener calls are serial on an implementation thread and must not block.
 *
 * @param <T> the configuration type (a record or bean Jackson can create)
 */
public final class ConfigWatcher<T> implements AutoCloseable {

    /** Told of configuration changes. */
    @FunctionalInterface
    public interface Listener<T> {
        /** The configuration changed to {@code config}. */
        void onUpdate(T config);

        /** A change could not be bound; the previous configuration stays current. */
        default void onInvalid(Exception problem) {}
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .findAndRegisterModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // "30 seconds" is text, not 30

    private final String prefix;
    private final Class<T> type;
    private final Listener<T> listener;
    private final PrefixMirror mirror;
    private volatile T current;

    private ConfigWatcher(Cairn cairn, String prefix, Class<T> type, Listener<T> listener) {
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.type = type;
        this.listener = listener;
        this.mirror = new PrefixMirror(cairn, Bytes.fromUtf8(this.prefix), this::rebind,
                failure -> listener.onInvalid(failure instanceof Exception e ? e : new RuntimeException(failure)));
    }

    /**
     * Binds {@code type} to the keys under {@code prefix}: reads them (the listener is called with the
     * first configuration before this returns) and follows their changes until closed.
     *
     * @throws IllegalArgumentException if the keys now present cannot be bound to {@code type}
     */
    public static <T> ConfigWatcher<T> start(Cairn cairn, String prefix, Class<T> type, Listener<T> listener)
            throws InterruptedException {
        ConfigWatcher<T> watcher = new ConfigWatcher<>(Objects.requireNonNull(cairn, "cairn"),
                Objects.requireNonNull(prefix, "prefix"), Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(listener, "listener"));
        watcher.mirror.start();
        if (watcher.current == null) {
            watcher.close();
            throw new IllegalArgumentException("the keys under " + prefix + " cannot be bound to " + type.getName());
        }
        return watcher;
    }

    /** The configuration as last read. */
    public T current() {
        return current;
    }

    private void rebind(SortedMap<Bytes, KeyValue> keys) {
        ObjectNode tree = JSON.createObjectNode();
        for (Map.Entry<Bytes, KeyValue> entry : keys.entrySet()) {
            String path = entry.getKey().toUtf8().substring(prefix.length());
            String[] names = path.split("/");
            ObjectNode parent = tree;
            for (int i = 0; i < names.length - 1; i++) {
                JsonNode child = parent.get(names[i]);
                parent = child instanceof ObjectNode object ? object : parent.putObject(names[i]);
            }
            parent.set(names[names.length - 1], valueOf(entry.getValue().value().toUtf8()));
        }
        T bound;
        try {
            bound = JSON.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException invalid) {
            listener.onInvalid(invalid);
            return;
        }
        current = bound;
        listener.onUpdate(bound);
    }

    private static JsonNode valueOf(String text) {
        try {
            JsonNode parsed = JSON.readTree(text);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(text);
        }
    }

    /** Stops following changes; {@link #current()} keeps the last configuration. */
    @Override
    public void close() {
        mirror.close();
    }
}
