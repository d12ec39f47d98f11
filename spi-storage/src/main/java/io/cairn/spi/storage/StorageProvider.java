package io.cairn.spi.storage;

/**
 * ServiceLoader provider interface for storage backends. A plugin module declares
 * {@code provides io.cairn.spi.storage.StorageProvider with ...} and exports nothing; the server
 * picks a provider by {@link #id()} (configuration {@code --storage <id>}) through
 * {@link StorageProviders#byId(String)}.
 *
 * <p>Threading: providers are stateless factories, safe to call from any thread.
 */
public interface StorageProvider {

    /**
     * The id this provider is selected by, such as {@code rocksdb} or {@code xodus}: lower-case
     * letters, digits and '-', stable across releases, unique on a module path.
     */
    String id();

    /** One line for {@code cairn plugins} and error messages: library and version. */
    default String description() {
        return id();
    }

    /**
     * Opens the backend in {@code config.directory()}, creating the directory and any missing
     * keyspace of {@code config.keyspaces()}. Keyspaces that exist on disk but are not listed stay
     * on disk untouched and are not reachable through the returned backend.
     *
     * <p>An empty or missing directory becomes a new backend of this provider. A directory that
     * holds a checkpoint written by {@link Backend#checkpoint} of this provider opens as that
     * state. The returned backend is exclusively owned by the caller, who must {@link Backend#close()} it.
     *
     * @throws StorageException with {@link StorageException.Reason#LOCKED} if another backend (in this
     *     or another process) has the directory open; {@link StorageException.Reason#FOREIGN} if the
     *     directory holds something that is not this provider's backend (another provider's, or
     *     unrelated files); {@link StorageException.Reason#CORRUPTED} if the files are this
     *     provider's but damaged; {@link StorageException.Reason#IO} for other I/O failures. Nothing
     *     that was in the directory is modified or deleted in any of these cases (an empty directory
     *     may be left with the provider's marker file and lock file).
     * @throws NullPointerException if {@code config} is null
     */
    Backend open(BackendConfig config);
}
