package io.cairn.spi.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds {@link StorageProvider}s on the module path (or class path) by id. */
public final class StorageProviders {

    private StorageProviders() {}

    /** Every provider visible to this module's ServiceLoader, sorted by id. */
    public static List<StorageProvider> all() {
        return all(ServiceLoader.load(StorageProvider.class));
    }

    /** Every provider visible through {@code layer} (and its parents), sorted by id. */
    public static List<StorageProvider> all(ModuleLayer layer) {
        return all(ServiceLoader.load(layer, StorageProvider.class));
    }

    /**
     * The provider with this id.
     *
     * @throws IllegalArgumentException naming the ids that were found, if none has this id, or if
     *     two providers claim it
     */
    public static StorageProvider byId(String id) {
        return byId(id, all());
    }

    /** Like {@link #byId(String)}, among {@code candidates}. */
    public static StorageProvider byId(String id, List<StorageProvider> candidates) {
        Objects.requireNonNull(id, "storage provider id is null");
        List<StorageProvider> matches = new ArrayList<>();
        for (StorageProvider candidate : candidates) {
            if (candidate.id().equals(id)) {
                matches.add(candidate);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        List<String> found = candidates.stream().map(StorageProvider::id).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown storage provider '" + id + "'; found on the module path: " + (found.isEmpty() ? "none" : String.join(", ", found)));
        }
        throw new IllegalArgumentException("storage provider id '" + id + "' is claimed by several providers: "
                + matches.stream().map(p -> p.getClass().getModule().getName()).toList());
    }

    private static List<StorageProvider> all(ServiceLoader<StorageProvider> loader) {
        TreeMap<String, List<StorageProvider>> byId = new TreeMap<>();
        for (StorageProvider provider : loader) {
            byId.computeIfAbsent(provider.id(), k -> new ArrayList<>()).add(provider);
        }
        List<StorageProvider> sorted = new ArrayList<>();
        byId.values().forEach(sorted::addAll);
        return List.copyOf(sorted);
    }
}
