package dev.lifeboat.engine.database;

import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.testing.PostgresCluster;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores through the streamed path, where Lifeboat loads the rows itself: a table of awkward values,
 * larger than a piece and with one row larger than a piece, comes back row for row whether it is split
 * between connections or loaded in one frozen transaction; a dump in another client encoding goes to
 * pg_restore whole and comes back too.
 */
class StreamedRestoreIT {
    @RegisterExtension
    static final PostgresCluster PG = PostgresCluster.empty();

    /** Order-sensitive digest of every row, in id order: equal digests mean equal rows. */
    private static final String DIGEST = "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\\n' ORDER BY id)) "
            + "FROM \"Mixed Case\".\"Awkward Rows\" t";

    private final PgTools tools = new PgTools(null, System.getenv());

    @ParameterizedTest(name = "jobs {0}")
    @ValueSource(ints = {1, 3})
    void awkwardRowsLargerThanAPieceComeBackRowForRow(int jobs) {
        String source = "awkward" + jobs;
        PG.createDatabase(source);
        PG.execute(source, """
                CREATE SCHEMA "Mixed Case";
                CREATE TABLE "Mixed Case"."Awkward Rows" (id bigint PRIMARY KEY, body text, raw bytea, n numeric);
                INSERT INTO "Mixed Case"."Awkward Rows"
                  SELECT g, CASE g % 7
                              WHEN 0 THEN E'line\\nbreak\\ttab \\\\ backslash'
                              WHEN 1 THEN E'\\\\.'
                              WHEN 2 THEN ''
                              WHEN 3 THEN NULL
                              WHEN 4 THEN 'Zoë 山田 🚀 ' || g
                              WHEN 5 THEN E'\\r\\n carriage'
                              ELSE repeat('x', g % 300) END,
                         CASE WHEN g % 5 = 0 THEN decode('00ff0a5c2e', 'hex') END, g / 7.0
                    FROM generate_series(1, 250000) g;
                INSERT INTO "Mixed Case"."Awkward Rows" VALUES (0, repeat('long row ', 1200000), NULL, 0);
                CREATE SEQUENCE "Mixed Case"."Counter";
                SELECT setval('"Mixed Case"."Counter"', 4242);
                """);
        String digest = PG.value(source, DIGEST);
        Repository repo = TestRepositories.init(new MemoryBackend());
        SnapshotRef snapshot = backup(repo, source);
        assertThat(snapshot.snapshot().summary().bytes()).as("the table spans several pieces")
                .isGreaterThan(3L * 8 * 1024 * 1024);

        DatabaseRestore.Result result = restore(repo, snapshot, source + "_copy", jobs);

        assertThat(result.verified()).as("%s", result.checks()).isTrue();
        assertThat(PG.value(source + "_copy", DIGEST)).isEqualTo(digest).startsWith("250001 ");
        assertThat(PG.value(source + "_copy", "SELECT last_value FROM \"Mixed Case\".\"Counter\"")).isEqualTo("4242");
        assertThat(PG.schemaDump(source + "_copy")).isEqualTo(PG.schemaDump(source));
    }

    @Test
    void aDumpInAnotherEncodingIsRestoredByPgRestoreWholeWithItsEncodingAndLocale() {
        PG.execute("postgres", "CREATE DATABASE latin TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
        PG.execute("latin", "CREATE TABLE words (id int PRIMARY KEY, w text); "
                + "INSERT INTO words SELECT g, 'façade Zoë ' || g FROM generate_series(1, 1000) g");
        String digest = PG.value("latin", "SELECT md5(string_agg(w, ',' ORDER BY id)) FROM words");
        Repository repo = TestRepositories.init(new MemoryBackend());
        SnapshotRef snapshot = backup(repo, "latin");

        for (int jobs : List.of(1, 2)) {
            DatabaseRestore.Result result = restore(repo, snapshot, "latin_copy" + jobs, jobs);

            assertThat(result.verified()).as("%s", result.checks()).isTrue();
            assertThat(PG.value("latin_copy" + jobs, "SELECT md5(string_agg(w, ',' ORDER BY id)) FROM words"))
                    .isEqualTo(digest);
            assertThat(PG.value("latin_copy" + jobs, "SELECT pg_encoding_to_char(encoding) || ' ' || datcollate "
                    + "|| ' ' || datctype FROM pg_database WHERE datname = current_database()")).isEqualTo("LATIN1 C C");
        }
    }

    private SnapshotRef backup(Repository repo, String database) {
        return new DatabaseBackup(repo, Progress.NONE).run(new DatabaseBackup.Request(PG.connection(database), false,
                List.of(), null, tools));
    }

    private DatabaseRestore.Result restore(Repository repo, SnapshotRef snapshot, String target, int jobs) {
        DatabaseRestore.Request request = new DatabaseRestore.Request(snapshot, null, PG.connection(target), false, true,
                jobs, false, List.of(), List.of(), null, null, tools, null);
        return new DatabaseRestore(repo, Progress.NONE).run(request, spec -> {
            throw new AssertionError("a restore into a new database took a safety backup of " + spec);
        });
    }
}
