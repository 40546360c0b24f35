package dev.lifeboat.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;

/**
 * What a resident process ({@link ResidentServer}) and its clients ({@link ResidentClient}) share: where
 * the socket is and the wire format. JDK classes only, so that a client starts in about 0.1 s.
 *
 * <p>One resident process serves one user and one working directory, on a Unix socket named after the
 * directory in a folder only that user can enter: {@code $LIFEBOAT_RUNTIME_DIR}, else
 * {@code $XDG_RUNTIME_DIR/lifeboat}, else {@code /tmp/lifeboat-UID}. A request is {@link #MAGIC}, a kind
 * byte and, to run a command, the working directory, the terminal flag, the environment and the arguments
 * (strings as a length and UTF-8 bytes). Replies are frames: a type byte, a length and bytes. The native
 * client (src/main/c/lifeboat-client.c) speaks this format too.
 */
final class Resident {
    /** The status a client exits with when the resident process declined: the launcher then runs the command itself. */
    static final int DECLINED_STATUS = 254;
    static final int MAGIC = 0x4c425231;
    static final byte RUN = 1;
    static final byte STATUS = 2;
    static final byte STOP = 3;
    static final byte OUT = 1;
    static final byte ERR = 2;
    static final byte EXIT = 3;
    static final byte DECLINE = 4;
    /** The process took the command: the client no longer runs it itself, unless it is declined before any output. */
    static final byte ACCEPTED = 5;
    static final int MAX_FRAME = 1 << 20;

    private Resident() {
    }

    /** The folder of the sockets, from the environment (see the class comment). */
    static Path runtimeDir(Map<String, String> env) throws IOException {
        String dir = env.get("LIFEBOAT_RUNTIME_DIR");
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir);
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "lifeboat");
        }
        return Path.of("/tmp", "lifeboat-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /** The socket of the resident process for a working directory; the launcher names it the same way. */
    static Path socket(Map<String, String> env, String cwd) throws IOException {
        return runtimeDir(env).resolve("resident-" + hash(cwd) + ".sock");
    }

    /**
     * Takes the lock that one resident process per socket holds from before its warm-up until it exits, so that
     * a second {@code resident start} meanwhile waits for it instead of starting another.
     *
     * @return the held lock (released when its channel closes, or when the process exits), or null when
     *         another process, or this one, holds it
     */
    static FileLock lockProcess(Path socket) throws IOException {
        Path file = socket.resolveSibling(socket.getFileName().toString().replace(".sock", ".lock"));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (OverlappingFileLockException e) {
            // held in this JVM
        }
        ch.close();
        return null;
    }

    static String hash(String cwd) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cwd.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses a socket folder that another user owns or others may enter: a client sends its environment
     * (passwords included) to whatever listens there.
     */
    static void checkPrivate(Path dir) throws IOException {
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException("'" + dir + "' belongs to " + owner);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        for (PosixFilePermission p : perms) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IOException("'" + dir + "' is open to other users (" + perms + ")");
            }
        }
    }

    /** Creates the socket's folder, only the user may enter it, and refuses one that others can (see {@link #checkPrivate}). */
    static void privateFolder(Path socket) throws IOException {
        Files.createDirectories(socket.getParent(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        checkPrivate(socket.getParent());
    }

    /** Connects to a resident process, after checking that its folder is private, and that it runs as this user. */
    static SocketChannel connect(Path socket) throws IOException {
        checkPrivate(socket.getParent());
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (!peer.equals(System.getProperty("user.name"))) {
                throw new IOException("the process at '" + socket + "' runs as " + peer);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    /** Reads a reply frame's bytes after its type: a length, then exactly that many bytes. */
    static byte[] readFrame(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_FRAME) {
            throw new IOException("bad frame length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** A command for the process to run: where and how the client was started, and its command line. */
    record Run(String cwd, boolean terminal, Map<String, String> env, List<String> args) {
        /** Sends the whole request, kind included. */
        void send(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeByte(RUN);
            writeString(out, cwd);
            out.writeBoolean(terminal);
            out.writeInt(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.writeInt(args.size());
            for (String a : args) {
                writeString(out, a);
            }
            out.flush();
        }

        /** Reads what follows the kind byte. */
        static Run read(DataInputStream in) throws IOException {
            String cwd = readString(in);
            boolean terminal = in.readBoolean();
            Map<String, String> env = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                env.put(readString(in), readString(in));
            }
            List<String> args = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                args.add(readString(in));
            }
            return new Run(cwd, terminal, env, args);
        }
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 24) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
