/**
 * ServiceLoader SPI for Cairn's transports.
 *
 * @uses io.cairn.spi.transport.TransportProvider found by id through {@link io.cairn.spi.transport.TransportProviders}
 */
module io.cairn.spi.transport {
    // ClientEndpoint and TransportProvider put io.cairn.api.Cairn in their signatures.
    requires transitive io.cairn.api;

    exports io.cairn.spi.transport;
    exports io.cairn.spi.transport.tls;
    exports io.cairn.spi.transport.peer;

    uses io.cairn.spi.transport.TransportProvider;
}
