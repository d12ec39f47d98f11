package io.cairn.recipes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.api.Bytes;
import io.cairn.api.Cairn;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Service discovery: instances register under {@code <root>/<service>/<id>} with their
 * {@link ServiceInstance} as JSON, on a lease kept alive by a {@link Session} of their own; clients
 * list the instances of a service or watch them.
 * {@snippet :
 * ServiceRegistry registry = new ServiceRegistry(cairn, "services");
 * try (ServiceRegistry.Registration registration = registry.register(
 *         new ServiceInstance("orders", "orders-1", "10.0.0.7", 8080, Map.of("zone", "a")), Duration.ofSeconds(10))) {
 *     try (AutoCloseable watching = registry.watch("orders", instances -> balancer.update(instances))) {
 *         serve();
 *     }
 * }
 * }
 *
 * <p>Guarantees: a registered instance stays listed while its process keeps the lease alive; it drops
 * out when it deregisters (at once) or when its process dies or is cut off (within the TTL, plus the
 * time for the server to notice the expiry). Watchers get the full current list after every change, in
 * revision order, without gaps. Limits: a listed instance may already be dead for up to a TTL; an instance
 * whose value is not valid JSON is skipped. Threading: thread-safe; listeners run on an implementation
 * thread, one call at a time, and must not block.
 */
public final class ServiceRegistry {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cairn cairn;
    private final String root;

    /** A registry whose keys live under {@code root + "/"}. */
    public ServiceRegistry(Cairn cairn, String root) {
        this.cairn = Objects.requireNonNull(cairn, "cairn");
        this.root = Objects.requireNonNull(root, "root");
    }

    /**
     * Registers {@code instance} on a new session of {@code ttl}, replacing an earlier registration of the
     * same id. Close the registration to deregister.
     */
    public Registration register(ServiceInstance instance, Duration ttl) throws InterruptedException {
        Objects.requireNonNull(instance, "instance");
        Session session = Session.create(cairn, ttl);
        Bytes key = Bytes.fromUtf8(root + "/" + instance.service() + "/" + instance.id());
        Bytes value;
        try {
            value = Bytes.fromUtf8(JSON.writeValueAsString(instance));
        } catch (JsonProcessingException json) {
            session.close();
            throw new IllegalArgumentException("cannot write the instance as JSON", json);
        }
        boolean registered = false;
        try {
            Waits.join(cairn.kv().put(PutRequest.of(key, value).withLease(session.leaseId())));
            registered = true;
        } finally {
            if (!registered) {
                session.close();
            }
        }
        return new Registration(instance, session);
    }

    /** The instances of {@code service} now registered, by id. */
    public List<ServiceInstance> discover(String service) throws InterruptedException {
        var found = Waits.join(cairn.kv().range(RangeRequest.prefix(servicePrefix(service)))).kvs();
        return instances(found);
    }

    /**
     * Calls {@code listener} with the instances of {@code service} now (before returning) and after every
     * change. Close the returned handle to stop.
     */
    public AutoCloseable watch(String service, Consumer<List<ServiceInstance>> listener) throws InterruptedException {
        Objects.requireNonNull(listener, "listener");
        PrefixMirror mirror = new PrefixMirror(cairn, servicePrefix(service),
                keys -> listener.accept(instances(keys.values())), failure -> { });
        mirror.start();
        return mirror;
    }

    private Bytes servicePrefix(String service) {
        return Bytes.fromUtf8(root + "/" + Objects.requireNonNull(service, "service") + "/");
    }

    private static List<ServiceInstance> instances(Collection<KeyValue> kvs) {
        List<ServiceInstance> instances = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            try {
                instances.add(JSON.readValue(kv.value().toByteArray(), ServiceInstance.class));
            } catch (java.io.IOException | RuntimeException notAnInstance) {
                // someone else's value under the prefix: not an instance
            }
        }
        return List.copyOf(instances);
    }

    /** A live registration; closing it deregisters (revokes its lease). */
    public static final class Registration implements AutoCloseable {
        private final ServiceInstance instance;
        private final Session session;

        private Registration(ServiceInstance instance, Session session) {
            this.instance = instance;
            this.session = session;
        }

        /** The registered instance. */
        public ServiceInstance instance() {
            return instance;
        }

        /** The session whose lease holds the registration. */
        public Session session() {
            return session;
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
