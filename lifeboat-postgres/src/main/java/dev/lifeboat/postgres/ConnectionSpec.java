package dev.lifeboat.postgres;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How to reach one PostgreSQL database, resolved the way libpq does: an explicit postgres:// URL, then
 * DATABASE_URL, then PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSSLMODE, then the seeds' POSTGRES_HOST,
 * POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, then defaults; a password not given
 * anywhere is looked up in PGPASSFILE or ~/.pgpass. The password never appears in {@link #toString()}.
 */
public record ConnectionSpec(String host, int port, String user, String database, String password, String sslMode) {
    private static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    public ConnectionSpec {
        if (host == null || host.isBlank()) {
            throw LifeboatException.usage("no database host given", "set PGHOST or give a postgres:// URL");
        }
        if (port < 1 || port > 65535) {
            throw LifeboatException.usage("invalid database port " + port, "give a port between 1 and 65535");
        }
        if (user == null || user.isBlank() || database == null || database.isBlank()) {
            throw LifeboatException.usage("no database user or name given", "set PGUSER and PGDATABASE, or give a URL");
        }
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            throw LifeboatException.usage("invalid sslmode '" + sslMode + "'", "use one of " + String.join(", ", SSL_MODES));
        }
    }

    /** The same server and login, another database. */
    public ConnectionSpec withDatabase(String name) {
        return new ConnectionSpec(host, port, user, name, password, sslMode);
    }

    /** postgres://user@host:port/database, without the password: safe for logs and snapshots. */
    public String display() {
        return "postgres://" + user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return display();
    }

    /**
     * Resolves a connection.
     *
     * @param url      an explicit URL (command line or configuration), or null
     * @param database a database name that overrides the one resolved, or null
     */
    public static ConnectionSpec resolve(String url, String database, Map<String, String> env) {
        Map<String, String> v = new HashMap<>();
        v.put("host", "localhost");
        v.put("port", "5432");
        String osUser = System.getProperty("user.name");
        v.put("user", osUser);
        putIf(v, "host", env.get("POSTGRES_HOST"));
        putIf(v, "port", env.get("POSTGRES_PORT"));
        putIf(v, "user", env.get("POSTGRES_USER"));
        putIf(v, "password", env.get("POSTGRES_PASSWORD"));
        putIf(v, "database", env.get("POSTGRES_DB"));
        putIf(v, "host", env.get("PGHOST"));
        putIf(v, "port", env.get("PGPORT"));
        putIf(v, "user", env.get("PGUSER"));
        putIf(v, "password", env.get("PGPASSWORD"));
        putIf(v, "database", env.get("PGDATABASE"));
        putIf(v, "sslmode", env.get("PGSSLMODE"));
        String effectiveUrl = url != null && !url.isBlank() ? url : env.get("DATABASE_URL");
        if (effectiveUrl != null && !effectiveUrl.isBlank()) {
            parseUrl(effectiveUrl, v);
        }
        putIf(v, "database", database);
        v.putIfAbsent("database", v.get("user"));
        int port;
        try {
            port = Integer.parseInt(v.get("port"));
        } catch (NumberFormatException e) {
            throw LifeboatException.usage("invalid database port '" + v.get("port") + "'", "give a number");
        }
        String password = v.get("password");
        if (password == null) {
            password = PgPass.lookup(pgpassFile(env), v.get("host"), port, v.get("database"), v.get("user"));
        }
        return new ConnectionSpec(v.get("host"), port, v.get("user"), v.get("database"), password, v.get("sslmode"));
    }

    private static Path pgpassFile(Map<String, String> env) {
        String file = env.get("PGPASSFILE");
        if (file != null && !file.isBlank()) {
            return Path.of(file);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".pgpass");
    }

    private static void putIf(Map<String, String> v, String key, String value) {
        if (value != null && !value.isBlank()) {
            v.put(key, value);
        }
    }

    static void parseUrl(String url, Map<String, String> v) {
        String hint = "use postgres://user:password@host:port/database?sslmode=require";
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw LifeboatException.usage("database URL '" + redact(url) + "' does not start with postgres://", hint);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw LifeboatException.usage("invalid database URL '" + redact(url) + "'", hint);
        }
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            putIf(v, "user", decode(parts[0]));
            if (parts.length == 2) {
                v.put("password", decode(parts[1]));
            }
        }
        if (uri.getHost() == null && uri.getRawAuthority() != null && !uri.getRawAuthority().endsWith("@")) {
            throw LifeboatException.usage("invalid database URL '" + redact(url) + "'", hint);
        }
        String host = uri.getHost();
        // URI keeps the brackets of an IPv6 literal; libpq and JDBC want the bare address
        putIf(v, "host", host != null && host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        if (uri.getPort() > 0) {
            v.put("port", Integer.toString(uri.getPort()));
        }
        String path = uri.getRawPath();
        if (path != null && path.length() > 1) {
            v.put("database", decode(path.substring(1)));
        }
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                String key = decode(p[0]);
                String value = p.length == 2 ? decode(p[1]) : "";
                switch (key) {
                    case "sslmode" -> v.put("sslmode", value);
                    case "host" -> v.put("host", value);
                    case "port" -> v.put("port", value);
                    case "user" -> v.put("user", value);
                    case "password" -> v.put("password", value);
                    case "dbname" -> v.put("database", value);
                    case "application_name", "connect_timeout" -> { }
                    default -> throw LifeboatException.usage("unsupported database URL parameter '" + key + "'",
                            "supported: sslmode, host, port, user, password, dbname");
                }
            }
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by '***'. */
    static String redact(String url) {
        return url.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@");
    }

    /** Opens a JDBC connection, mapping failures to clear messages. */
    public Connection connect() {
        return connect(Map.of());
    }

    /**
     * Opens a JDBC connection with extra pgjdbc properties (for example {@code replication=true} for a
     * physical replication connection), mapping failures to clear messages.
     */
    public Connection connect(Map<String, String> extraProperties) {
        if (host.startsWith("/")) {
            throw LifeboatException.usage("database host '" + host + "' is a Unix socket directory",
                    "connect over TCP: set PGHOST to a host name or address");
        }
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        if (sslMode != null) {
            props.setProperty("sslmode", sslMode);
        }
        props.setProperty("ApplicationName", "lifeboat");
        props.setProperty("connectTimeout", "10");
        extraProperties.forEach(props::setProperty);
        String jdbc = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        try {
            return DriverManager.getConnection(jdbc, props);
        } catch (SQLException e) {
            throw error(e);
        }
    }

    /** Maps a JDBC error from this server to a user-facing exception. */
    public LifeboatException error(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "'" + display() + "'";
        return switch (state) {
            // pgjdbc reports a password the server asked for but was not given as 08004
            case "28P01", "28000", "08004" -> new LifeboatException(ErrorCode.DATABASE, "login refused by " + where + ": "
                    + firstLine(e.getMessage()), "check the password (PGPASSWORD, ~/.pgpass or the URL) and pg_hba.conf", e);
            case "3D000" -> new LifeboatException(ErrorCode.NOT_FOUND, "database '" + database + "' does not exist on '"
                    + host + ":" + port + "'", "check the database name, or create it first", e);
            case "08001", "08006" -> new LifeboatException(ErrorCode.DATABASE, "cannot connect to " + where
                    + ": " + firstLine(e.getMessage()), "check that the server runs and that host and port are right", e);
            default -> new LifeboatException(ErrorCode.DATABASE, "database error on " + where + ": "
                    + firstLine(e.getMessage()), null, e);
        };
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Environment for libpq client programs (the password travels here, never on the command line). */
    public Map<String, String> childEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", database);
        env.put("PGAPPNAME", "lifeboat");
        env.put("PGCONNECT_TIMEOUT", "10");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        if (sslMode != null) {
            env.put("PGSSLMODE", sslMode);
        }
        return env;
    }

    /** Parser of the libpq password file. */
    static final class PgPass {
        private PgPass() {
        }

        static String lookup(Path file, String host, int port, String database, String user) {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> f = split(line);
                if (f.size() != 5) {
                    continue;
                }
                if (match(f.get(0), host) && match(f.get(1), Integer.toString(port)) && match(f.get(2), database)
                        && match(f.get(3), user)) {
                    return f.get(4);
                }
            }
            return null;
        }

        private static boolean match(String pattern, String value) {
            return pattern.equals("*") || pattern.equals(value)
                    || (pattern.equals("localhost") && (value.equals("127.0.0.1") || value.equals("::1")));
        }

        private static List<String> split(String line) {
            List<String> out = new java.util.ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == ':' && out.size() < 4) {
                    out.add(cur.toString());
                    cur.setLength(0);
                } else if (c == ':') {
                    // like libpq, an unescaped colon ends the password
                    break;
                } else {
                    cur.append(c);
                }
            }
            out.add(cur.toString());
            return out;
        }
    }
}
