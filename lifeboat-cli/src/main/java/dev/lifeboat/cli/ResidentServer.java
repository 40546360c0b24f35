package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.crypto.KdfParams;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A resident process: runs the commands of clients ({@link ResidentClient}) of one user and one working
 * directory in this JVM, so that they skip the JVM start and the JIT compilation a fresh process pays for
 * every command (a no-change backup of 20,000 files: about 3.3 s in a fresh process, 1 s here).
 *
 * <p>It declines, so that the launcher runs the command in a fresh process instead, whatever it cannot
 * run exactly as a fresh process would: a command other than the data commands ({@link #serves}), a
 * client in another working directory or with another environment (child programs such as pg_dump inherit
 * this process's), a command that needs to prompt for a password, a second command while one runs, and
 * anything after the jar was rebuilt (then it stops). It stops after an idle time, on
 * {@code lifeboat resident stop}, or when it runs out of memory.
 */
public final class ResidentServer {
    /** Variables a shell changes on its own, which no command reads. */
    private static final Set<String> VOLATILE_ENV = Set.of("_", "OLDPWD", "PWD", "SHLVL", "COLUMNS", "LINES", "TERM");
    /** The exit status of a process that found another one starting or running for its socket. */
    static final int ANOTHER_PROCESS = 3;
    private static FileLock processLock;

    private final Path socket;
    private final Map<String, String> env;
    private final String cwd;
    private final Duration idle;
    private final Path jar;
    private final FileTime jarTime;
    private final Instant started = Instant.now();
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile long lastUsed = System.nanoTime();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger declined = new AtomicInteger();
    private volatile ServerSocketChannel server;
    private volatile Object socketKey;

    ResidentServer(Path socket, Map<String, String> env, String cwd, Duration idle, Path jar) throws IOException {
        this.socket = socket;
        this.env = env;
        this.cwd = cwd;
        this.idle = idle;
        this.jar = jar;
        this.jarTime = jar == null ? null : Files.getLastModifiedTime(jar);
    }

    /** Arguments: the socket, the idle time in seconds, and optionally "warm-up" (see {@link ResidentWarmup}). */
    public static void main(String[] args) throws IOException {
        Path jar = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]);
        ResidentServer s = new ResidentServer(Path.of(args[0]), System.getenv(), System.getProperty("user.dir"),
                Duration.ofSeconds(Long.parseLong(args[1])), Files.isRegularFile(jar) ? jar : null);
        Resident.privateFolder(s.socket);
        // held until this process exits
        processLock = Resident.lockProcess(s.socket);
        if (processLock == null) {
            log("another resident process is starting or running for " + s.cwd + ", exiting");
            System.exit(ANOTHER_PROCESS);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        if (args.length > 2 && args[2].equals("warm-up")) {
            // before the socket exists: until it does, the launcher runs commands in fresh processes
            try {
                ResidentWarmup.Result w = ResidentWarmup.run(Path.of(System.getProperty("java.io.tmpdir")),
                        System.getenv());
                log("warmed up in " + w.time().toMillis() + " ms (" + w.commands() + " commands"
                        + (w.failures().isEmpty() ? ")" : ", failed: " + String.join("; ", w.failures()) + ")"));
            } catch (IOException | RuntimeException e) {
                // a full or read-only temporary folder: the process serves all the same, only colder
                log("warm-up failed, serving without it: " + e);
            }
            System.gc();
        }
        KdfParams.rememberDerivedKeys();
        s.serve();
        s.awaitIdle();
        System.exit(0);
    }

    /** Waits until no command runs, and then lets none start. */
    void awaitIdle() {
        while (!busy.compareAndSet(false, true)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Whether a command line is one a resident process runs: the data commands, not set-up or long-running ones. */
    static boolean serves(List<String> args) {
        if (args.isEmpty()) {
            return false;
        }
        return switch (args.get(0)) {
            case "backup", "snapshots", "ls", "restore", "diff", "check", "copy", "forget", "prune", "tag", "unlock",
                    "repair", "rewrite" -> true;
            case "wal" -> args.size() > 1 && Set.of("push", "fetch", "verify").contains(args.get(1));
            default -> false;
        };
    }

    /** Listens until stopped, idle for too long, or the jar changes. */
    void serve() throws IOException {
        Resident.privateFolder(socket);
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        socketKey = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        log("listening on " + socket + " for " + cwd + " (pid " + ProcessHandle.current().pid() + ")");
        Thread.ofPlatform().daemon().name("resident-idle").start(this::stopWhenIdle);
        try {
            while (true) {
                SocketChannel ch = server.accept();
                Thread.ofPlatform().name("resident-client").start(() -> handle(ch));
            }
        } catch (ClosedChannelException e) {
            log("stopped");
        } finally {
            deleteSocket();
        }
    }

    /** Stops listening; a command that runs completes first (see {@link #awaitIdle}). */
    void stop() {
        ServerSocketChannel s = server;
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // stopping anyway
        }
        deleteSocket();
    }

    /** Deletes this process's socket, not one that a process started since has bound at the same path. */
    private void deleteSocket() {
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key != null && key.equals(socketKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    private void stopWhenIdle() {
        while (server.isOpen()) {
            try {
                Thread.sleep(Math.min(1000, Math.max(1, idle.toMillis() / 4)));
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() - lastUsed > idle.toNanos() && busy.compareAndSet(false, true)) {
                // reserved: no command starts between this check and the stop
                log("idle for " + idle.toSeconds() + " s, stopping");
                stop();
                return;
            }
        }
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().getName().equals(System.getProperty("user.name"))) {
                log("refused a client of user " + peer.user().getName());
                return;
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            try (FrameWriter out = new FrameWriter(ch)) {
                if (in.readInt() != Resident.MAGIC) {
                    return;
                }
                switch (in.readByte()) {
                    case Resident.STATUS -> {
                        byte[] status = status();
                        out.frame(Resident.OUT, status, 0, status.length);
                        out.exit(0);
                    }
                    case Resident.STOP -> {
                        log("stop requested");
                        stop();
                        out.exit(0);
                    }
                    case Resident.RUN -> run(ch, in, out);
                    default -> log("unknown request");
                }
            }
        } catch (IOException e) {
            log("client: " + e);
        }
    }

    private void run(SocketChannel ch, DataInputStream in, FrameWriter out) throws IOException {
        Resident.Run request = Resident.Run.read(in);
        List<String> args = request.args();
        String reason = declineReason(request);
        if (reason == null && !busy.compareAndSet(false, true)) {
            reason = "another command is running";
        }
        if (reason != null) {
            declined.incrementAndGet();
            log("declined '" + String.join(" ", args.subList(0, Math.min(2, args.size()))) + "': " + reason);
            out.decline(reason);
            return;
        }
        try {
            // from here on the client never runs the command itself, unless it is declined before any output
            out.frame(Resident.ACCEPTED, new byte[0], 0, 0);
            if (execute(ch, out, request) != Resident.DECLINED_STATUS) {
                served.incrementAndGet();
            }
        } finally {
            lastUsed = System.nanoTime();
            busy.set(false);
        }
        // the command's garbage goes now, while nobody waits, so that the heap shrinks back between commands
        System.gc();
    }

    /** Why this process cannot run a command as a fresh process would, or null when it can. */
    private String declineReason(Resident.Run request) throws IOException {
        if (jar != null && !Files.getLastModifiedTime(jar).equals(jarTime)) {
            // a command that runs completes first
            stop();
            return "the jar was rebuilt";
        }
        if (!serves(request.args())) {
            return "not a command it runs";
        }
        if (!request.cwd().equals(cwd)) {
            return "another working directory";
        }
        Map<String, String> a = stable(request.env());
        Map<String, String> b = stable(env);
        Set<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        names.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
        return names.isEmpty() ? null : "another environment (" + String.join(", ", names) + ")";
    }

    private static Map<String, String> stable(Map<String, String> env) {
        Map<String, String> m = new LinkedHashMap<>(env);
        m.keySet().removeAll(VOLATILE_ENV);
        return m;
    }

    /**
     * Runs the command on this connection's thread with the client's streams; when the client goes away
     * (Ctrl-C), the thread is interrupted, which stops its file and network I/O. Ends with the exit status
     * frame, and returns the status.
     */
    private int execute(SocketChannel ch, FrameWriter out, Resident.Run request) {
        PrintStream stdout = new PrintStream(new FrameStream(out, Resident.OUT), true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(new FrameStream(out, Resident.ERR), true, StandardCharsets.UTF_8);
        Cli cli = new Cli(stdout, stderr, request.env(), java.io.InputStream.nullInputStream(), request.terminal(), true);
        String command = request.args().get(0);
        Thread running = Thread.currentThread();
        AtomicBoolean done = new AtomicBoolean();
        Thread.ofPlatform().daemon().name("resident-watch").start(() -> {
            try {
                ch.read(ByteBuffer.allocate(1));
            } catch (IOException ignored) {
                // the client went away
            }
            if (!done.get()) {
                log("client went away, interrupting '" + command + "'");
                running.interrupt();
            }
        });
        int status;
        try {
            status = Main.execute(cli, request.args().toArray(String[]::new));
        } catch (OutOfMemoryError e) {
            status = Main.outOfMemory(cli);
            log("out of memory, stopping");
            stop();
        }
        // the watcher must not interrupt this thread once the command is over
        done.set(true);
        if (status == Resident.DECLINED_STATUS) {
            declined.incrementAndGet();
            log("declined '" + command + "': it needs a terminal prompt");
            if (!out.wroteOutput()) {
                out.decline("it needs a terminal prompt");
                return status;
            }
            stderr.println("lifeboat: no password given, and the resident process cannot prompt for one");
            stderr.println("HINT: set LIFEBOAT_PASSWORD or pass --password-file FILE, or run with LIFEBOAT_RESIDENT=off");
            status = ErrorCode.USAGE.exitStatus();
        }
        out.exit(status);
        return status;
    }

    private byte[] status() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pid", Long.toString(ProcessHandle.current().pid()));
        m.put("directory", cwd);
        m.put("socket", socket.toString());
        m.put("started", started.toString());
        m.put("idle-timeout-seconds", Long.toString(idle.toSeconds()));
        m.put("served", Integer.toString(served.get()));
        m.put("declined", Integer.toString(declined.get()));
        m.put("busy", Boolean.toString(busy.get()));
        m.put("heap-bytes", Long.toString(Runtime.getRuntime().totalMemory()));
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void log(String line) {
        System.err.println(Instant.now() + " " + line);
    }

    /** Thrown by a command served here that would prompt on a terminal: the launcher then runs it itself. */
    static final class PromptNeeded extends RuntimeException {
        PromptNeeded() {
            super("a resident process cannot prompt", null, false, false);
        }
    }

    /**
     * The replies of one connection, written by one thread of their own: a command's threads hand frames
     * over and go on, so none of them writes to the socket (a write on an interrupted thread would close the
     * channel). Frames larger than 64 KiB are split.
     */
    private static final class FrameWriter implements AutoCloseable {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>(256);
        private final Thread thread;
        private volatile boolean broken;
        private volatile boolean wroteOutput;

        FrameWriter(SocketChannel ch) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 65536));
            thread = Thread.ofPlatform().daemon().name("resident-writer").start(() -> {
                try {
                    for (byte[] f = frames.take(); f != END; f = frames.take()) {
                        if (!broken) {
                            out.write(f);
                            if (frames.isEmpty()) {
                                out.flush();
                            }
                        }
                    }
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    broken = true;
                    frames.clear();
                }
            });
        }

        void frame(byte type, byte[] b, int off, int len) {
            if (type == Resident.OUT || type == Resident.ERR) {
                wroteOutput = true;
            }
            do {
                int n = Math.min(len, 65536);
                byte[] f = new byte[5 + n];
                f[0] = type;
                f[1] = (byte) (n >>> 24);
                f[2] = (byte) (n >>> 16);
                f[3] = (byte) (n >>> 8);
                f[4] = (byte) n;
                System.arraycopy(b, off, f, 5, n);
                put(f);
                off += n;
                len -= n;
            } while (len > 0);
        }

        void exit(int status) {
            byte[] b = {(byte) (status >>> 24), (byte) (status >>> 16), (byte) (status >>> 8), (byte) status};
            frame(Resident.EXIT, b, 0, 4);
        }

        void decline(String reason) {
            byte[] b = reason.getBytes(StandardCharsets.UTF_8);
            frame(Resident.DECLINE, b, 0, b.length);
        }

        boolean wroteOutput() {
            return wroteOutput;
        }

        /** Hands a frame over, also on an interrupted thread (whose interrupt is kept). */
        private void put(byte[] f) {
            boolean interrupted = false;
            while (!broken) {
                try {
                    frames.put(f);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Writes what is queued, then ends. */
        @Override
        public void close() {
            put(END);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Output of the running command, sent to the client as frames of one type. */
    private static final class FrameStream extends OutputStream {
        private final FrameWriter out;
        private final byte type;

        FrameStream(FrameWriter out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // a client that went away stops the command through the watcher; its output goes nowhere
            out.frame(type, b, off, len);
        }
    }
}
