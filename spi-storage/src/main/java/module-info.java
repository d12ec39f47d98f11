/**
 * ServiceLoader SPI for Cairn's storage backends.
 *
 * @uses io.cairn.spi.storage.StorageProvider found by id through {@link io.cairn.spi.storage.StorageProviders}
 */
module io.cairn.spi.storage {
    exports io.cairn.spi.storage;

    uses io.cairn.spi.storage.StorageProvider;
}
