package io.cairn.client;

import io.cairn.api.watch.Watch;
import io.cairn.api.watch.WatchStream;

/** {@link Watch} over etcd's {@code Watch} service: each stream is a {@link RemoteWatchStream}. */
final class RemoteWatch implements Watch {

    private final Connection connection;
    private final Namespace namespace;
    private final StreamRegistry registry;

    RemoteWatch(Connection connection, Namespace namespace, StreamRegistry registry) {
        this.connection = connection;
        this.namespace = namespace;
        this.registry = registry;
    }

    @Override
    public WatchStream openStream() {
        RemoteWatchStream stream = new RemoteWatchStream(connection, namespace, registry);
        stream.connect();
        return stream;
    }
}
