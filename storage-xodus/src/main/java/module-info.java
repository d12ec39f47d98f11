/**
 * Storage backend on JetBrains Xodus environments.
 *
 * @provides io.cairn.spi.storage.StorageProvider a {@code Backend} on a Xodus environment, selected by id {@code xodus}
 */
module io.cairn.storage.xodus {
    requires io.cairn.spi.storage;
    // Xodus 2.0.1's jars split packages; xodus-bundle merges them into this one automatic module.
    requires jetbrains.exodus;
    // Xodus's public signatures mention Kotlin types (kotlin.jvm.functions.Function0).
    requires kotlin.stdlib;
    // Xodus reads sun.misc.Unsafe (jetbrains.exodus.util.UnsafeHolder); requiring it here resolves it on a pure
    // module path, so launchers need no --add-modules jdk.unsupported.
    requires jdk.unsupported;

    // The server picks storage by id ("--storage xodus") through ServiceLoader; no type of this module is API.
    provides io.cairn.spi.storage.StorageProvider with io.cairn.storage.xodus.XodusStorageProvider;
}
