package io.cairn.spi.transport;

import io.cairn.api.Experimental;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds {@link TransportProvider}s on the module path (or class path) by id. */
@Experimental("new with issue 4")
public final class TransportProviders {

    private TransportProviders() {}

    /** Every provider visible to this module's ServiceLoader, sorted by id. */
    public static List<TransportProvider> all() {
        return all(ServiceLoader.load(TransportProvider.class));
    }

    /** Every provider visible through {@code layer} (and its parents), sorted by id. */
    public static List<TransportProvider> all(ModuleLayer layer) {
        return all(ServiceLoader.load(layer, TransportProvider.class));
    }

    /**
     * The provider with this id.
     *
     * @throws IllegalArgumentException naming the ids that were found, if none has this id, or if
     *     two providers claim it
     * @throws NullPointerException if {@code id} is null
     */
    public static TransportProvider byId(String id) {
        return byId(id, all());
    }

    /** Like {@link #byId(String)}, among {@code candidates}. */
    public static TransportProvider byId(String id, List<TransportProvider> candidates) {
        Objects.requireNonNull(id, "transport provider id is null");
        Objects.requireNonNull(candidates, "candidates");
        List<TransportProvider> matches = new ArrayList<>();
        for (TransportProvider candidate : candidates) {
            if (candidate.id().equals(id)) {
                matches.add(candidate);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        List<String> found = candidates.stream().map(TransportProvider::id).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("unknown transport provider '" + id + "'; found on the module path: "
                    + (found.isEmpty() ? "none" : String.join(", ", found)));
        }
        throw new IllegalArgumentException("transport provider id '" + id + "' is claimed by several providers: "
                + matches.stream().map(p -> p.getClass().getModule().getName() + "/" + p.getClass().getName()).toList());
    }

    private static List<TransportProvider> all(ServiceLoader<TransportProvider> loader) {
        TreeMap<String, List<TransportProvider>> byId = new TreeMap<>();
        for (TransportProvider provider : loader) {
            byId.computeIfAbsent(provider.id(), k -> new ArrayList<>()).add(provider);
        }
        List<TransportProvider> sorted = new ArrayList<>();
        byId.values().forEach(sorted::addAll);
        return List.copyOf(sorted);
    }
}
