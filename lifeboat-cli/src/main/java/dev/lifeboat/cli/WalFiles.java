package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.DataDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading and writing the WAL files of archive and restore commands, and the cluster they belong to. */
final class WalFiles {
    private WalFiles() {
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw LifeboatException.usage("WAL file '" + file + "' does not exist",
                    "archive_command must pass %p, the path of the file to archive");
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot read WAL file '" + file + "': " + e.getMessage(),
                    "check the file's permissions");
        }
    }

    /**
     * The system identifier of the cluster a WAL path belongs to: the explicit one, else that of the data
     * directory the path lies in (or the command runs in); null when neither is known.
     */
    static String systemId(String explicit, Path walPath) {
        if (explicit != null) {
            if (!explicit.matches("[0-9]{1,20}")) {
                throw LifeboatException.usage("invalid system identifier '" + explicit + "'",
                        "give the number 'SELECT system_identifier FROM pg_control_system()' shows");
            }
            return explicit;
        }
        Path dataDir = DataDirectory.of(walPath);
        return dataDir == null ? null : DataDirectory.systemIdentifier(dataDir);
    }

    /** Writes a file so that a reader sees all of it or nothing: a temporary file beside it, then a rename. */
    static void writeAtomically(Path target, byte[] content) {
        Path abs = target.toAbsolutePath();
        Path temp = abs.resolveSibling(".lifeboat-" + ProcessHandle.current().pid() + "-" + abs.getFileName());
        try {
            Files.write(temp, content);
            Files.move(temp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to clean up
            }
            throw new LifeboatException(ErrorCode.FAILURE, "cannot write '" + target + "': " + e.getMessage(),
                    "check free space and the permissions of the folder");
        }
    }
}
