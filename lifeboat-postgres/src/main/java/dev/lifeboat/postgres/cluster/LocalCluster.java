package dev.lifeboat.postgres.cluster;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgProcess;
import dev.lifeboat.postgres.PgTools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster that Lifeboat controls on this host: scratch clusters for drills, point-in-time
 * restores beside a live cluster, the quickstart and tests. It listens on 127.0.0.1 only, keeps its Unix
 * socket in its own folder, and when Lifeboat runs as root its programs run as the postgres user, with
 * folders that user owns. Only processes this class started are ever stopped.
 */
public final class LocalCluster implements AutoCloseable {
    /** The postgres user, looked up once: restores give every file and WAL segment to it. */
    private static volatile UserPrincipal postgresUser;

    private final Path dataDir;
    private final Path socketDir;
    private final Path logFile;
    private final PgTools.Tool pgCtl;
    private final int port;
    private boolean running;

    private LocalCluster(Path dataDir, PgTools.Tool pgCtl, int port) {
        this.dataDir = dataDir;
        this.socketDir = dataDir.getParent().resolve(dataDir.getFileName() + ".sock");
        this.logFile = dataDir.getParent().resolve(dataDir.getFileName() + ".log");
        this.pgCtl = pgCtl;
        this.port = port;
    }

    /**
     * Creates a new cluster with initdb in {@code dataDir} (which must not exist or be empty) and returns it,
     * not yet started.
     *
     * @param settings extra postgresql.conf settings
     */
    public static LocalCluster initdb(PgTools tools, Path dataDir, Map<String, String> settings) {
        PgTools.Tool initdb = tools.newest("initdb");
        Path parent = dataDir.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            if (Files.exists(dataDir) && !isEmpty(dataDir)) {
                throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "data directory '" + dataDir + "' is not empty",
                        "choose a new or empty folder");
            }
            Files.createDirectories(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            giveToPostgres(dataDir);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot prepare data directory '" + dataDir + "': "
                    + e.getMessage(), "check the parent folder's permissions");
        }
        PgProcess.run(List.of(initdb.path().toString(), "-D", dataDir.toAbsolutePath().toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"), Map.of("LC_ALL", "C.UTF-8"), true);
        LocalCluster cluster = new LocalCluster(dataDir.toAbsolutePath(), tools.exact("pg_ctl", initdb.major()),
                freePort());
        cluster.configure(settings);
        return cluster;
    }

    /** A cluster whose data directory already exists (restored), to be started on the given port. */
    public static LocalCluster existing(PgTools tools, Path dataDir, int port) {
        int major = majorOf(dataDir);
        return new LocalCluster(dataDir.toAbsolutePath(), tools.exact("pg_ctl", major), port);
    }

    /** A handle on a cluster that Lifeboat started earlier in this process (a restored one), so it can be stopped. */
    public static LocalCluster startedEarlier(PgTools tools, Path dataDir, int port) {
        LocalCluster c = existing(tools, dataDir, port);
        c.running = true;
        return c;
    }

    /** The PostgreSQL major version recorded in a data directory's PG_VERSION. */
    public static int majorOf(Path dataDir) {
        try {
            return Integer.parseInt(Files.readString(dataDir.resolve("PG_VERSION")).trim());
        } catch (IOException | NumberFormatException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "'" + dataDir + "' is not a PostgreSQL data directory "
                    + "(no readable PG_VERSION)", "give the folder that holds PG_VERSION");
        }
    }

    private void configure(Map<String, String> settings) {
        StringBuilder conf = new StringBuilder("\n# written by lifeboat\n");
        conf.append("listen_addresses = '127.0.0.1'\n");
        conf.append("port = ").append(port).append('\n');
        conf.append("unix_socket_directories = '").append(socketDir).append("'\n");
        conf.append("fsync = on\n");
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        try {
            Files.writeString(dataDir.resolve("postgresql.auto.conf"), conf.toString(), StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot write the configuration of '" + dataDir + "': "
                    + e.getMessage(), null);
        }
    }

    /** Starts the server and waits until it accepts connections. */
    public LocalCluster start() {
        try {
            Files.createDirectories(socketDir);
            giveToPostgres(socketDir);
            if (!Files.exists(logFile)) {
                Files.createFile(logFile);
            }
            giveToPostgres(logFile);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot prepare '" + socketDir + "': " + e.getMessage(), null);
        }
        try {
            PgProcess.run(List.of(pgCtl.path().toString(), "-D", dataDir.toString(), "-l", logFile.toString(), "-w",
                    "-t", "120", "-o", "-p " + port + " -k " + socketDir, "start"), Map.of(), true);
        } catch (LifeboatException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "cluster in '" + dataDir + "' did not start: "
                    + lastLogLine(), "see the server log '" + logFile + "'", e);
        }
        running = true;
        return this;
    }

    /** Stops the server (fast shutdown: running transactions are rolled back). */
    public void stop() {
        if (running) {
            PgProcess.run(List.of(pgCtl.path().toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "120",
                    "stop"), Map.of(), true);
            running = false;
        }
    }

    /** Kills the postmaster with SIGKILL: a crash, for tests and drills. */
    public void crash() {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            running = false;
        } catch (IOException | RuntimeException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot find the postmaster of '" + dataDir + "'", null);
        }
    }

    public boolean isRunning() {
        return running;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public int major() {
        return pgCtl.major();
    }

    /** A connection to a database of this cluster as the postgres superuser. */
    public ConnectionSpec connection(String database) {
        return new ConnectionSpec("127.0.0.1", port, "postgres", database, null, "disable");
    }

    private String lastLogLine() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return lines.isEmpty() ? "(empty log)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops the server if this object started it, and deletes nothing. */
    @Override
    public void close() {
        if (running) {
            stop();
        }
    }

    /** Deletes the data directory, socket folder and log of a stopped cluster. */
    public void delete() {
        if (running) {
            throw new IllegalStateException("stop the cluster before deleting it");
        }
        for (Path p : List.of(dataDir, socketDir, logFile)) {
            deleteTree(p);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot delete '" + root + "': " + e.getMessage(), null);
        }
    }

    static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * When running as root, gives a path to the postgres user (the server refuses to run as root) and lets
     * that user traverse the folders above it.
     */
    public static void giveToPostgres(Path p) throws IOException {
        if (!PgProcess.isRoot()) {
            return;
        }
        chownToPostgres(p);
        Path parent = p.toAbsolutePath().getParent();
        // the postgres user must be able to traverse the parent folders
        while (parent != null && parent.getParent() != null) {
            var perms = Files.getPosixFilePermissions(parent);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(parent, perms);
            }
            parent = parent.getParent();
        }
    }

    /**
     * When running as root, makes the postgres user own the path (not following symlinks). A path it owns
     * already is left alone: a chown dirties the inode even when nothing changes, and the server's sync of
     * a restored data directory would then write every inode again.
     */
    public static void chownToPostgres(Path p) throws IOException {
        if (!PgProcess.isRoot()) {
            return;
        }
        UserPrincipal postgres = postgresUser;
        if (postgres == null) {
            try {
                postgres = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.DATABASE, "there is no 'postgres' user to run the server as",
                        "install the PostgreSQL server package, which creates it");
            }
            postgresUser = postgres;
        }
        var view = Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!view.getOwner().equals(postgres)) {
            view.setOwner(postgres);
        }
    }

    /** A free TCP port on the loopback interface. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "no free port on 127.0.0.1: " + e.getMessage(), null);
        }
    }
}
