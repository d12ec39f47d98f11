package io.cairn.spi.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The marker file that says which provider owns a backend directory, so that a directory of one
 * provider is never opened (and rewritten) by another, nor an unrelated directory taken over.
 * Providers call {@link #claim} before opening their library on a directory, and
 * {@link #writeMarker} into every checkpoint they write.
 */
public final class BackendDirectory {

    /** The marker's file name, inside the backend directory. */
    public static final String MARKER_FILE = "CAIRN-BACKEND";

    private BackendDirectory() {}

    /**
     * Makes sure {@code directory} is this provider's: creates it with a marker if it is missing or
     * empty, accepts it if its marker names {@code providerId} with a format version up to
     * {@code formatVersion}.
     *
     * @return the format version found on disk ({@code formatVersion} for a new directory)
     * @throws StorageException {@link StorageException.Reason#FOREIGN} for a directory of another
     *     provider, a newer format, or a non-empty directory without a marker; {@link StorageException.Reason#CORRUPTED}
     *     for an unreadable marker; {@link StorageException.Reason#IO} if the directory cannot be created
     */
    public static int claim(Path directory, String providerId, int formatVersion) {
        try {
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new StorageException(StorageException.Reason.FOREIGN, directory + " is a file, not a directory");
            }
            Files.createDirectories(directory);
            Path marker = directory.resolve(MARKER_FILE);
            if (!Files.exists(marker)) {
                if (!isEmpty(directory)) {
                    throw new StorageException(StorageException.Reason.FOREIGN, "directory " + directory
                            + " is not empty and has no " + MARKER_FILE + " file: it is not a Cairn backend; refusing to use it");
                }
                writeMarker(directory, providerId, formatVersion);
                return formatVersion;
            }
            Properties properties = new Properties();
            try {
                properties.load(new java.io.StringReader(Files.readString(marker, StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException e) {
                throw new StorageException(StorageException.Reason.CORRUPTED, "unreadable marker " + marker, e);
            }
            String foundProvider = properties.getProperty("provider");
            String foundFormat = properties.getProperty("format");
            if (foundProvider == null || foundFormat == null) {
                throw new StorageException(StorageException.Reason.CORRUPTED,
                        "marker " + marker + " lacks 'provider' or 'format'");
            }
            if (!foundProvider.equals(providerId)) {
                throw new StorageException(StorageException.Reason.FOREIGN, "directory " + directory + " holds a '"
                        + foundProvider + "' backend, not a '" + providerId + "' one");
            }
            int found;
            try {
                found = Integer.parseInt(foundFormat.trim());
            } catch (NumberFormatException e) {
                throw new StorageException(StorageException.Reason.CORRUPTED, "marker " + marker + " has format '" + foundFormat + "'", e);
            }
            if (found > formatVersion) {
                throw new StorageException(StorageException.Reason.FOREIGN, "directory " + directory + " has '" + providerId
                        + "' format " + found + ", newer than this version supports (" + formatVersion + ")");
            }
            return found;
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot use directory " + directory + ": " + e, e);
        }
    }

    /** Writes (atomically, durably) the marker for {@code providerId} into {@code directory}. */
    public static void writeMarker(Path directory, String providerId, int formatVersion) {
        Path marker = directory.resolve(MARKER_FILE);
        Path temporary = directory.resolve(MARKER_FILE + ".tmp");
        String content = "# Cairn storage backend; do not edit\nprovider=" + providerId + "\nformat=" + formatVersion + "\n";
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            try {
                Files.move(temporary, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, marker, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(directory);
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.IO, "cannot write " + marker + ": " + e, e);
        }
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Not every platform can open a directory for sync; the marker itself was forced.
        }
    }
}
