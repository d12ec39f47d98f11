/**
 * The Cairn conformance kit: verification classes that plugin authors extend, and
 * ({@code io.cairn.conformance.linearizability}) a recorder and checker of linearizable histories.
 */
module io.cairn.conformance {
    requires transitive io.cairn.spi.storage;
    requires transitive org.junit.jupiter.api;
    // the transport kit: the SPI under test, etcd's messages its EtcdWire carries, a real member to serve
    requires transitive io.cairn.spi.transport;
    requires transitive io.cairn.etcd.protocol;
    requires io.cairn.server;

    exports io.cairn.conformance;
    exports io.cairn.conformance.linearizability;

    // JUnit reflects on the rule methods and @TempDir fields of the verification classes.
    opens io.cairn.conformance to org.junit.platform.commons;
}
