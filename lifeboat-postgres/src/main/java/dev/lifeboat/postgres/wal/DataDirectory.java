package dev.lifeboat.postgres.wal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data directory of the server that runs an archive or restore command, and the system identifier in its
 * {@code global/pg_control}. The server runs those commands in its data directory, and {@code %p} is a path
 * below {@code pg_wal}.
 */
public final class DataDirectory {
    private DataDirectory() {
    }

    /**
     * The data directory a WAL path {@code %p} lies in: the parent of its {@code pg_wal} folder, else the
     * working directory when it holds {@code global/pg_control}; null when neither is a data directory.
     */
    public static Path of(Path walPath) {
        Path parent = walPath.toAbsolutePath().normalize().getParent();
        if (parent != null && (parent.getFileName().toString().equals("pg_wal")
                || parent.getFileName().toString().equals("pg_xlog")) && hasControlFile(parent.getParent())) {
            return parent.getParent();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return hasControlFile(cwd) ? cwd : null;
    }

    private static boolean hasControlFile(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve("global").resolve("pg_control"));
    }

    /**
     * The system identifier of the cluster of a data directory: the first eight bytes of pg_control, written
     * in the byte order of the host that runs the server (this one); null when it cannot be read.
     */
    public static String systemIdentifier(Path dataDirectory) {
        try (InputStream in = Files.newInputStream(dataDirectory.resolve("global").resolve("pg_control"))) {
            byte[] b = in.readNBytes(8);
            if (b.length < 8) {
                return null;
            }
            return Long.toUnsignedString(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong());
        } catch (IOException e) {
            return null;
        }
    }
}
