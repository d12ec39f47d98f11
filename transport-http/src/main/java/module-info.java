/**
 * Transport plugin: etcd's HTTP APIs on Undertow, serving an {@link io.cairn.api.Cairn} —
 * the v3 JSON gateway ({@code /v3/...}, etcd's grpc-gateway JSON), the v2 keys API of etcd 2.3
 * ({@code /v2/keys/...}, on the v3 store in a reserved key prefix; see V2.md), {@code /v2/members},
 * {@code /health}, {@code /version} and {@code /metrics} (Prometheus text through Micrometer), over
 * plain text or TLS; etcd's {@code --listen-metrics-urls} endpoint ({@code /metrics} and {@code /health}
 * alone); and the peer traffic between members (Raft frames in batched POSTs, snapshots in
 * chunked POSTs; see PEER.md).
 *
 * @provides io.cairn.spi.transport.TransportProvider the {@code http} transport
 */
module io.cairn.transport.http {
    requires io.cairn.spi.transport;
    // etcd's v3 messages and their mapping to the api records
    requires io.cairn.etcd.protocol;
    // JsonFormat: the proto3 JSON mapping grpc-gateway (and so etcd's gateway) uses
    requires com.google.protobuf.util;
    requires undertow.core;
    requires xnio.api;
    // Undertow is an automatic module and cannot say what it needs: these explicit modules would not be
    // resolved on a pure module path (bin/cairn) without someone requiring them. jboss-threads needs
    // org.wildfly.common, which is why the root pom manages wildfly-common to 2.0.1 (jpms-spike.md).
    requires org.jboss.logging;
    requires org.jboss.threads;
    // JsonFormat (protobuf-java-util, automatic) prints and parses through gson, an explicit module.
    requires com.google.gson;
    requires com.fasterxml.jackson.databind;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    // the member's disk histograms are collectors of the registry's Prometheus model
    requires io.prometheus.metrics.model;

    // Nothing is exported: the server finds this transport by its id, "http", through ServiceLoader.
    provides io.cairn.spi.transport.TransportProvider with io.cairn.transport.http.HttpTransportProvider;
}
