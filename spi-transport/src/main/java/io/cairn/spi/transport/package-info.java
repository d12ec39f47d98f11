/**
 * Transport SPI: a {@link io.cairn.spi.transport.TransportProvider} starts a
 * {@link io.cairn.spi.transport.ClientEndpoint} that serves an {@link io.cairn.api.Cairn} over a wire protocol.
 */
package io.cairn.spi.transport;
