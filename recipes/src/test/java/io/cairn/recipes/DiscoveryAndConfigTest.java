package io.cairn.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.api.Bytes;
import io.cairn.api.kv.DeleteRangeRequest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** ServiceRegistry and ConfigWatcher. */
class DiscoveryAndConfigTest extends EmbeddedCairn {

    /** A typed configuration. */
    public record Limits(int maxConnections, String mode, List<String> admins, Database database) {}

    /** A nested part of it. */
    public record Database(String url, int poolSize) {}

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).sorted().toList();
    }

    @Test
    void registeredInstancesAreDiscoveredWatchedAndDroppedWhenTheirLeaseEnds() throws Exception {
        ServiceRegistry registry = new ServiceRegistry(cairn, "services");
        BlockingQueue<List<String>> seen = new LinkedBlockingQueue<>();
        ServiceInstance one = new ServiceInstance("orders", "orders-1", "10.0.0.1", 8080, Map.of("zone", "a"));
        ServiceInstance two = new ServiceInstance("orders", "orders-2", "10.0.0.2", 8081, Map.of());
        try (AutoCloseable watching = registry.watch("orders", instances -> seen.add(ids(instances)))) {
            assertEquals(List.of(), seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the current list comes first");
            ServiceRegistry.Registration first = registry.register(one, Duration.ofSeconds(10));
            assertEquals(List.of("orders-1"), seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            ServiceRegistry.Registration second = registry.register(two, Duration.ofSeconds(2));
            assertEquals(List.of("orders-1", "orders-2"), seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertEquals(List.of(one, two), registry.discover("orders"), "instances round-trip through JSON");
            assertEquals(List.of(), registry.discover("payments"));

            // orders-2's process dies: no more keep-alives, and the lease runs out on its own
            second.session().abandon();
            assertEquals(List.of("orders-1"), seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS), "dropped after its TTL");
            assertEquals(List.of(one), registry.discover("orders"));

            first.close(); // deregisters at once
            assertEquals(List.of(), seen.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void aConfigWatcherBindsThePrefixAndFollowsUpdates() throws Exception {
        put("config/api/maxConnections", "100");
        put("config/api/mode", "strict"); // plain text is a string
        put("config/api/admins", "[\"ann\",\"bob\"]");
        put("config/api/database/url", "\"jdbc:postgresql://db/app\"");
        put("config/api/database/poolSize", "8");
        BlockingQueue<Limits> updates = new LinkedBlockingQueue<>();
        AtomicReference<Exception> invalid = new AtomicReference<>();
        try (ConfigWatcher<Limits> watcher = ConfigWatcher.start(cairn, "config/api", Limits.class,
                new ConfigWatcher.Listener<>() {
                    @Override
                    public void onUpdate(Limits config) {
                        updates.add(config);
                    }

                    @Override
                    public void onInvalid(Exception problem) {
                        invalid.set(problem);
                    }
                })) {
            Limits initial = new Limits(100, "strict", List.of("ann", "bob"), new Database("jdbc:postgresql://db/app", 8));
            assertEquals(initial, watcher.current());
            assertEquals(initial, updates.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));

            put("config/api/maxConnections", "250");
            Limits raised = updates.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(250, raised.maxConnections());
            assertEquals(raised, watcher.current());

            put("config/api/database/poolSize", "not a number");
            eventually("the invalid change is reported", () -> invalid.get() != null);
            assertEquals(raised, watcher.current(), "an invalid change keeps the previous configuration");

            cairn.kv().deleteRange(DeleteRangeRequest.of(Bytes.fromUtf8("config/api/database/poolSize")))
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Limits repaired = updates.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, repaired.database().poolSize(), "a deleted property is absent again");
            assertTrue(updates.isEmpty());
        }
    }

    private static void put(String key, String value) throws Exception {
        cairn.kv().put(Bytes.fromUtf8(key), Bytes.fromUtf8(value)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
