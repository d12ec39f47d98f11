/**
 * Storage SPI: {@link io.cairn.spi.storage.StorageProvider} opens a {@link io.cairn.spi.storage.Backend}.
 */
package io.cairn.spi.storage;
