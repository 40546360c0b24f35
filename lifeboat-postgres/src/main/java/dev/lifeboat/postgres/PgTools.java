package dev.lifeboat.postgres;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds PostgreSQL client and server programs (on PATH, in a configured directory, or under
 * /usr/lib/postgresql/N/bin) and chooses one whose major version can serve a given server.
 */
public final class PgTools {
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
    private final List<Path> searchDirs;

    /** One found program with its version. */
    public record Tool(String name, Path path, int major, String version) {
    }

    public PgTools(String configuredDir, Map<String, String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (configuredDir != null && !configuredDir.isBlank()) {
            dirs.add(Path.of(configuredDir));
        }
        String path = env.getOrDefault("PATH", "");
        for (String p : path.split(":")) {
            if (!p.isBlank()) {
                dirs.add(Path.of(p));
            }
        }
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            List<Path> versions = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib)) {
                ds.forEach(versions::add);
            } catch (IOException ignored) {
                // an unreadable folder just contributes no candidates
            }
            versions.sort(Comparator.reverseOrder());
            for (Path v : versions) {
                dirs.add(v.resolve("bin"));
            }
        }
        this.searchDirs = List.copyOf(dirs);
    }

    /** Every installed copy of the program, newest first. */
    public List<Tool> all(String name) {
        List<Tool> out = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path dir : searchDirs) {
            Path p = dir.resolve(name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    continue;
                }
                if (seen.add(real)) {
                    Tool t = probe(name, p);
                    if (t != null) {
                        out.add(t);
                    }
                }
            }
        }
        out.sort(Comparator.comparingInt(Tool::major).reversed());
        return out;
    }

    /**
     * The program to use against a server of {@code serverMajor}: the same major if installed, else the
     * oldest newer one (pg_dump reads servers up to its own version; pg_restore and psql likewise).
     */
    public Tool forServer(String name, int serverMajor) {
        List<Tool> all = all(name);
        if (all.isEmpty()) {
            throw new LifeboatException(ErrorCode.DATABASE, name + " not found on PATH or under /usr/lib/postgresql/*/bin",
                    "install the PostgreSQL client programs (Debian: apt-get install postgresql-client-" + serverMajor
                            + "), or set postgres.bin-dir");
        }
        Tool best = null;
        for (Tool t : all) {
            if (t.major() >= serverMajor && (best == null || t.major() < best.major())) {
                best = t;
            }
        }
        if (best == null) {
            throw new LifeboatException(ErrorCode.DATABASE, name + " " + serverMajor + " or newer is needed for a "
                    + "PostgreSQL " + serverMajor + " server; found only " + describe(all),
                    "install postgresql-client-" + serverMajor + " or newer, or set postgres.bin-dir to its bin folder");
        }
        return best;
    }

    /** The newest installed copy of a program, for programs not tied to a server (initdb for a new cluster). */
    public Tool newest(String name) {
        List<Tool> all = all(name);
        if (all.isEmpty()) {
            throw new LifeboatException(ErrorCode.DATABASE, name + " not found on PATH or under /usr/lib/postgresql/*/bin",
                    "install the PostgreSQL server programs (Debian: apt-get install postgresql-15)");
        }
        return all.get(0);
    }

    /** A program of exactly this major version (server programs must match the data directory). */
    public Tool exact(String name, int major) {
        return all(name).stream().filter(t -> t.major() == major).findFirst().orElseThrow(() ->
                new LifeboatException(ErrorCode.DATABASE, name + " of PostgreSQL " + major + " is not installed; found "
                        + describe(all(name)), "install postgresql-" + major));
    }

    private static String describe(List<Tool> tools) {
        if (tools.isEmpty()) {
            return "none";
        }
        return String.join(", ", tools.stream().map(t -> t.name() + " " + t.version() + " (" + t.path() + ")").toList());
    }

    private static Tool probe(String name, Path path) {
        try {
            Process p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                return null;
            }
            String version = m.group(1) + (m.group(2) == null ? "" : "." + m.group(2));
            return new Tool(name, path, Integer.parseInt(m.group(1)), version);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
