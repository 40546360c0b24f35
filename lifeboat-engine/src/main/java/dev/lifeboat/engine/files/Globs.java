package dev.lifeboat.engine.files;

import dev.lifeboat.error.LifeboatException;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of glob patterns matched against a path the way users expect from restic and rsync: a pattern
 * without '/' matches the name at any depth, a pattern with '/' matches the whole path (absolute, or
 * relative to a backup root), and a trailing '/' restricts the pattern to directories.
 */
public final class Globs {
    private record Glob(String text, PathMatcher matcher, boolean dirOnly, boolean wholePath) {
    }

    private final List<Glob> globs = new ArrayList<>();

    public Globs(List<String> patterns, String optionName) {
        for (String p : patterns) {
            if (p == null || p.isBlank()) {
                throw LifeboatException.usage("empty pattern given to " + optionName, "remove it or give a glob such as '*.log'");
            }
            boolean dirOnly = p.endsWith("/") && p.length() > 1;
            String body = dirOnly ? p.substring(0, p.length() - 1) : p;
            boolean whole = body.contains("/");
            try {
                globs.add(new Glob(p, FileSystems.getDefault().getPathMatcher("glob:" + body), dirOnly, whole));
            } catch (IllegalArgumentException e) {
                throw LifeboatException.usage("invalid pattern '" + p + "' given to " + optionName + ": "
                        + e.getMessage().lines().findFirst().orElse(""), "see 'man 7 glob' for the syntax");
            }
        }
    }

    public boolean isEmpty() {
        return globs.isEmpty();
    }

    /**
     * Whether any pattern matches.
     *
     * @param absolute  the absolute path ("/srv/app/x")
     * @param relative  the path relative to the backup root or snapshot ("app/x"), may equal absolute
     */
    public boolean matches(String absolute, String relative, String name, boolean isDir) {
        for (Glob g : globs) {
            if (g.dirOnly() && !isDir) {
                continue;
            }
            if (g.wholePath()) {
                if (g.matcher().matches(Path.of(absolute)) || g.matcher().matches(Path.of(relative))) {
                    return true;
                }
            } else if (g.matcher().matches(Path.of(name))) {
                return true;
            }
        }
        return false;
    }
}
