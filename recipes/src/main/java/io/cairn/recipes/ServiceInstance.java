package io.cairn.recipes;

import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service as {@link ServiceRegistry} stores it: the value of its key is this record as
 * JSON ({@code {"service":..,"id":..,"host":..,"port":..,"metadata":{..}}}).
 *
 * @param service the service's name; no {@code '/'}
 * @param id the instance's id, unique within the service; no {@code '/'}
 * @param host where it listens
 * @param port its port
 * @param metadata free-form attributes (version, zone, weight, ...); unmodifiable
 */
public record ServiceInstance(String service, String id, String host, int port, Map<String, String> metadata) {

    /** @throws IllegalArgumentException if a name holds {@code '/'} or the port is outside 0..65535 */
    public ServiceInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        if (service.isEmpty() || service.contains("/") || id.isEmpty() || id.contains("/")) {
            throw new IllegalArgumentException("service and id must be non-empty and without '/': " + service + ", " + id);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
