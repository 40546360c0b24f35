package dev.lifeboat.postgres;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Connections resolve as libpq resolves them (explicit URL, DATABASE_URL, PG* variables, the seeds'
 * POSTGRES_* variables, defaults, then the password file), bad input is refused with an exact message,
 * and the password shows up nowhere but in the child programs' environment.
 */
class ConnectionSpecTest {
    private static final String OS_USER = System.getProperty("user.name");

    @TempDir
    static Path dir;

    /** An environment holding the given pairs and a password file that does not exist. */
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSFILE", "/nonexistent/lifeboat-test/.pgpass");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static ConnectionSpec spec(String host, int port, String user, String database, String password,
                                       String sslMode) {
        return new ConnectionSpec(host, port, user, database, password, sslMode);
    }

    static Stream<Arguments> resolutions() {
        return Stream.of(
                arguments("nothing given: libpq's defaults, the database named after the user",
                        null, env(), spec("localhost", 5432, OS_USER, OS_USER, null, null)),
                arguments("a URL with every part, percent-encoded, and sslmode",
                        "postgres://alice:s%40cr%3At%2Fx@db.example.com:6543/shop%20db?sslmode=require", env(),
                        spec("db.example.com", 6543, "alice", "shop db", "s@cr:t/x", "require")),
                arguments("the postgresql:// scheme, no port and no password",
                        "postgresql://bob@db.example.com/app", env(),
                        spec("db.example.com", 5432, "bob", "app", null, null)),
                arguments("a plus sign in a URL is a plus sign, not a space",
                        "postgres://carol:a+b@h/d", env(), spec("h", 5432, "carol", "d", "a+b", null)),
                arguments("an IPv6 address in brackets",
                        "postgres://dave@[::1]:5433/d", env(), spec("::1", 5433, "dave", "d", null, null)),
                arguments("query parameters name host, port, user, password and database",
                        "postgres:///?host=db.internal&port=6000&user=erin&password=p%26w&dbname=ledger&sslmode=verify-full"
                                + "&application_name=x&connect_timeout=3", env(),
                        spec("db.internal", 6000, "erin", "ledger", "p&w", "verify-full")),
                arguments("a URL without a database takes it from PGDATABASE",
                        "postgres://frank@h", env("PGDATABASE", "fromenv"),
                        spec("h", 5432, "frank", "fromenv", null, null)),
                arguments("DATABASE_URL when no URL is given",
                        null, env("DATABASE_URL", "postgres://gina:pw@dburl:7000/crm"),
                        spec("dburl", 7000, "gina", "crm", "pw", null)),
                arguments("an explicit URL beats DATABASE_URL and PG* variables",
                        "postgres://hank:explicit@explicit:5555/mine",
                        env("DATABASE_URL", "postgres://gina:pw@dburl:7000/crm", "PGHOST", "pghost",
                                "PGPASSWORD", "pgpw", "PGDATABASE", "pgdb"),
                        spec("explicit", 5555, "hank", "mine", "explicit", null)),
                arguments("DATABASE_URL beats PG* variables where it says something, PG* fill the rest",
                        null, env("DATABASE_URL", "postgres://dburl/crm", "PGHOST", "pghost", "PGUSER", "pguser",
                                "PGPASSWORD", "pgpw", "PGSSLMODE", "disable"),
                        spec("dburl", 5432, "pguser", "crm", "pgpw", "disable")),
                arguments("PG* variables alone",
                        null, env("PGHOST", "pghost", "PGPORT", "5544", "PGUSER", "pguser", "PGPASSWORD", "pgpw",
                                "PGDATABASE", "pgdb", "PGSSLMODE", "prefer"),
                        spec("pghost", 5544, "pguser", "pgdb", "pgpw", "prefer")),
                arguments("the seeds' POSTGRES_* variables alone",
                        null, env("POSTGRES_HOST", "seedhost", "POSTGRES_PORT", "5433", "POSTGRES_USER", "seeduser",
                                "POSTGRES_PASSWORD", "seedpw", "POSTGRES_DB", "seeddb"),
                        spec("seedhost", 5433, "seeduser", "seeddb", "seedpw", null)),
                arguments("PG* variables beat POSTGRES_* variables",
                        null, env("POSTGRES_HOST", "seedhost", "POSTGRES_PORT", "5433", "POSTGRES_USER", "seeduser",
                                "POSTGRES_PASSWORD", "seedpw", "POSTGRES_DB", "seeddb", "PGHOST", "pghost",
                                "PGPORT", "5544", "PGUSER", "pguser", "PGPASSWORD", "pgpw", "PGDATABASE", "pgdb"),
                        spec("pghost", 5544, "pguser", "pgdb", "pgpw", null)),
                arguments("POSTGRES_* fill in what PG* variables leave out",
                        null, env("POSTGRES_USER", "seeduser", "POSTGRES_PASSWORD", "seedpw", "PGHOST", "pghost"),
                        spec("pghost", 5432, "seeduser", "seeduser", "seedpw", null)),
                arguments("blank variables count as unset",
                        null, env("PGHOST", " ", "PGUSER", "", "POSTGRES_USER", "seeduser"),
                        spec("localhost", 5432, "seeduser", "seeduser", null, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolutions")
    void resolvesLikeLibpq(String description, String url, Map<String, String> env, ConnectionSpec expected) {
        assertThat(ConnectionSpec.resolve(url, null, env)).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void anExplicitDatabaseNameBeatsTheUrlAndTheEnvironment() {
        ConnectionSpec spec = ConnectionSpec.resolve("postgres://u@h/fromurl", "explicit", env("PGDATABASE", "pgdb"));

        assertThat(spec.database()).isEqualTo("explicit");
    }

    static Stream<Arguments> passwordFiles() {
        String file = """
                # a comment, then a blank line

                too:few:fields
                db.example.com:6543:shop:alice:exact
                db.example.com:*:*:alice:any-port-or-database
                *:*:*:bob:anywhere
                colon\\:host:5432:d\\:b:us\\\\er:pa\\:ss\\\\word:ignored
                *:*:*:carol:first
                *:*:*:carol:second
                """;
        return Stream.of(
                arguments("an exact line", "postgres://alice@db.example.com:6543/shop", file, "exact"),
                arguments("wildcards for port and database", "postgres://alice@db.example.com:5432/other", file,
                        "any-port-or-database"),
                arguments("wildcards everywhere but the user", "postgres://bob@elsewhere/x", file, "anywhere"),
                arguments("escaped colons and backslashes; an unescaped colon ends the password, as in libpq",
                        "postgres://us%5Cer@colon:5432/d:b?host=colon%3Ahost", file, "pa:ss\\word"),
                arguments("the first matching line wins", "postgres://carol@h/d", file, "first"),
                arguments("no matching line", "postgres://zoe@h/d", file, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwordFiles")
    void looksThePasswordUpInThePasswordFile(String description, String url, String file, String expected)
            throws IOException {
        Path pgpass = Files.writeString(dir.resolve("pgpass-" + Math.abs(description.hashCode())), file);

        ConnectionSpec spec = ConnectionSpec.resolve(url, null, Map.of("PGPASSFILE", pgpass.toString()));

        assertThat(spec.password()).isEqualTo(expected);
    }

    @Test
    void readsDotPgpassInHomeWhenPgpassfileIsNotSet() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".pgpass"), "*:*:*:ann:from-home\n");

        ConnectionSpec spec = ConnectionSpec.resolve("postgres://ann@h/d", null, Map.of("HOME", home.toString()));

        assertThat(spec.password()).isEqualTo("from-home");
    }

    @Test
    void aGivenPasswordBeatsThePasswordFile() throws IOException {
        Path pgpass = Files.writeString(dir.resolve("pgpass-ignored"), "*:*:*:*:from-file\n");

        ConnectionSpec spec = ConnectionSpec.resolve("postgres://ann@h/d", null,
                Map.of("PGPASSFILE", pgpass.toString(), "PGPASSWORD", "from-env"));

        assertThat(spec.password()).isEqualTo("from-env");
    }

    static Stream<Arguments> invalidInput() {
        String urlHint = "use postgres://user:password@host:port/database?sslmode=require";
        return Stream.of(
                arguments("mysql://u:secret@h/d", env(),
                        "database URL 'mysql://u:***@h/d' does not start with postgres://", urlHint),
                arguments("postgres://u:secret@h/my db", env(),
                        "invalid database URL 'postgres://u:***@h/my db'", urlHint),
                arguments("postgres://u:secret@h:port/d", env(),
                        "invalid database URL 'postgres://u:***@h:port/d'", urlHint),
                arguments("postgres://u@h/d?sslcert=x", env(),
                        "unsupported database URL parameter 'sslcert'", "supported: sslmode, host, port, user, password, dbname"),
                arguments("postgres://u@h:70000/d", env(),
                        "invalid database port 70000", "give a port between 1 and 65535"),
                arguments("postgres://u@h/d?port=x", env(),
                        "invalid database port 'x'", "give a number"),
                arguments(null, env("PGPORT", "0"),
                        "invalid database port 0", "give a port between 1 and 65535"),
                arguments(null, env("PGPORT", "five"),
                        "invalid database port 'five'", "give a number"),
                arguments("postgres://u@h/d?sslmode=always", env(),
                        "invalid sslmode 'always'", "use one of disable, allow, prefer, require, verify-ca, verify-full"),
                arguments(null, env("PGSSLMODE", "Require"),
                        "invalid sslmode 'Require'", "use one of disable, allow, prefer, require, verify-ca, verify-full"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidInput")
    void refusesInvalidInputWithAnExactMessage(String url, Map<String, String> env, String message, String hint) {
        assertThatThrownBy(() -> ConnectionSpec.resolve(url, null, env))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo(message);
                    assertThat(e.hint()).isEqualTo(hint);
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                });
    }

    @Test
    void displayAndToStringNeverShowThePassword() {
        ConnectionSpec spec = ConnectionSpec.resolve("postgres://alice:hunter2@db.example.com:6543/shop", null, env());

        assertThat(spec.display()).isEqualTo("postgres://alice@db.example.com:6543/shop");
        assertThat(spec.toString()).isEqualTo("postgres://alice@db.example.com:6543/shop");
        assertThat(spec.withDatabase("other").toString()).isEqualTo("postgres://alice@db.example.com:6543/other");
    }

    @Test
    void displayPutsAnIpv6AddressInBrackets() {
        assertThat(spec("::1", 5432, "u", "d", "pw", null).display()).isEqualTo("postgres://u@[::1]:5432/d");
    }

    @Test
    void childProgramsGetEverythingThroughTheEnvironmentIncludingThePassword() {
        ConnectionSpec spec = ConnectionSpec.resolve("postgres://alice:hunter2@db.example.com:6543/shop?sslmode=require",
                null, env());

        assertThat(spec.childEnvironment()).containsExactlyInAnyOrderEntriesOf(Map.of("PGHOST", "db.example.com",
                "PGPORT", "6543", "PGUSER", "alice", "PGDATABASE", "shop", "PGPASSWORD", "hunter2",
                "PGSSLMODE", "require", "PGAPPNAME", "lifeboat", "PGCONNECT_TIMEOUT", "10"));
    }

    @Test
    void childProgramsGetNoPasswordVariableWhenThereIsNone() {
        ConnectionSpec spec = ConnectionSpec.resolve("postgres://alice@db.example.com/shop", null, env());

        assertThat(spec.childEnvironment()).doesNotContainKeys("PGPASSWORD", "PGSSLMODE");
    }

    static Stream<Arguments> serverErrors() {
        String login = "check the password (PGPASSWORD, ~/.pgpass or the URL) and pg_hba.conf";
        String down = "check that the server runs and that host and port are right";
        return Stream.of(
                arguments("28P01", "FATAL: password authentication failed for user \"u\"\nDETAIL: more", ErrorCode.DATABASE,
                        "login refused by 'postgres://u@h:5432/d': FATAL: password authentication failed for user \"u\"",
                        login),
                arguments("28000", "FATAL: no pg_hba.conf entry for host \"10.0.0.9\"", ErrorCode.DATABASE,
                        "login refused by 'postgres://u@h:5432/d': FATAL: no pg_hba.conf entry for host \"10.0.0.9\"",
                        login),
                arguments("08004", "The server requested SCRAM-based authentication, but no password was provided.",
                        ErrorCode.DATABASE, "login refused by 'postgres://u@h:5432/d': The server requested "
                                + "SCRAM-based authentication, but no password was provided.", login),
                arguments("08001", "Connection to h:5432 refused.", ErrorCode.DATABASE,
                        "cannot connect to 'postgres://u@h:5432/d': Connection to h:5432 refused.", down),
                arguments("3D000", "FATAL: database \"d\" does not exist", ErrorCode.NOT_FOUND,
                        "database 'd' does not exist on 'h:5432'", "check the database name, or create it first"),
                arguments("42501", "ERROR: permission denied for table t", ErrorCode.DATABASE,
                        "database error on 'postgres://u@h:5432/d': ERROR: permission denied for table t", null));
    }

    @ParameterizedTest(name = "SQLSTATE {0}")
    @MethodSource("serverErrors")
    void mapsServerErrorsToOneLineMessagesWithHints(String state, String serverMessage, ErrorCode code, String message,
                                                    String hint) {
        LifeboatException e = spec("h", 5432, "u", "d", "hunter2", null).error(new SQLException(serverMessage, state));

        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(message).doesNotContain("hunter2");
        assertThat(e.hint()).isEqualTo(hint);
    }

    @Test
    void aUnixSocketFolderAsHostIsRefusedWithAHint() {
        ConnectionSpec spec = ConnectionSpec.resolve(null, null, env("PGHOST", "/var/run/postgresql", "PGUSER", "u"));

        assertThatThrownBy(spec::connect).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("database host '/var/run/postgresql' is a Unix socket directory");
            assertThat(e.hint()).isEqualTo("connect over TCP: set PGHOST to a host name or address");
        });
    }
}
