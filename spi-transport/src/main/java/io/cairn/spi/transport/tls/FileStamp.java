package io.cairn.spi.transport.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * What identifies a version of some files without reading them: modification time, size and file
 * key (an inode, which a rename-into-place changes even within one timestamp tick). A file that
 * cannot be read stamps as absent.
 */
record FileStamp(List<Object> parts) {

    static FileStamp of(List<Path> files) {
        Object[] parts = new Object[files.size() * 3];
        for (int i = 0; i < files.size(); i++) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(files.get(i), BasicFileAttributes.class);
                FileTime modified = attributes.lastModifiedTime();
                parts[3 * i] = modified;
                parts[3 * i + 1] = attributes.size();
                parts[3 * i + 2] = attributes.fileKey() == null ? "" : attributes.fileKey();
            } catch (IOException absent) {
                parts[3 * i] = "absent";
                parts[3 * i + 1] = -1L;
                parts[3 * i + 2] = "";
            }
        }
        return new FileStamp(List.of(parts));
    }
}
