package dev.lifeboat.engine.database;

import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.testing.PostgresCluster;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logical backups of the sample database with a million payments, restored beside the original with a
 * parallel pg_restore: every object type comes back with the same rows and the same schema, the original
 * is left alone, and a second backup after appending 1% of rows stores little new data.
 */
class DatabaseRoundTripIT {
    @RegisterExtension
    static final PostgresCluster PG = PostgresCluster.withSample("shop", 1_000_000);

    /**
     * What every object type of the sample holds; equal answers in two databases mean equal objects. A
     * table's content is summed row hashes: order-free, and cheap enough for a million rows.
     */
    private static final List<String> PROBES = List.of(
            "SELECT sum(hashtextextended(t::text, 0)) FROM public.users t",
            "SELECT sum(hashtextextended(t::text, 0)) FROM billing.invoices t",
            "SELECT sum(hashtextextended(t::text, 0)) FROM billing.payments t",
            "SELECT sum(hashtextextended(t::text, 0)) FROM \"Audit Log\".\"Events\" t",
            "SELECT sum(hashtextextended(t::text, 0)) FROM public.documents t",
            "SELECT last_value || ' ' || is_called FROM billing.invoice_no",
            "SELECT last_value || ' ' || is_called FROM public.users_id_seq",
            "SELECT last_value || ' ' || is_called FROM billing.payments_id_seq",
            "SELECT last_value || ' ' || is_called FROM \"Audit Log\".\"Events_Id_seq\"",
            "SELECT count(*) || ' ' || sum(amount) FROM billing.open_invoices",
            "SELECT billing.total_paid(7)",
            "SELECT string_agg(DISTINCT name, ', ' ORDER BY name) FROM public.users",
            "SELECT string_agg(d.body || ' ' || convert_from(lo_get(d.body), 'UTF8'), ', ') FROM public.documents d");

    private final PgTools tools = new PgTools(null, System.getenv());

    @Test
    void restoreIntoANewDatabaseBringsBackEveryObjectAndLeavesTheOriginalUntouched() {
        Repository repo = TestRepositories.init(new MemoryBackend());
        Map<String, Long> counts = PG.rowCounts("shop");
        String schema = PG.schemaDump("shop");
        Map<String, String> answers = probe("shop");
        SnapshotRef snapshot = backup(repo, "shop");
        Map<String, Long> recorded = new LinkedHashMap<>();
        Json.MAPPER.convertValue(snapshot.snapshot().details(), DatabaseDetails.class).databases().getFirst().facts()
                .tables().forEach(t -> recorded.put(t.qualified(), t.rows()));

        DatabaseRestore.Result result = restore(repo, snapshot, PG.connection("shop_copy"));

        assertThat(result.verified()).as("%s", result.checks()).isTrue();
        assertThat(counts).hasSize(5).containsEntry("billing.payments", 1_000_000L)
                .containsEntry("\"Audit Log\".\"Events\"", 20_000L);
        assertThat(recorded).as("rows counted in the dump stream").isEqualTo(counts);
        assertThat(PG.rowCounts("shop_copy")).isEqualTo(counts);
        assertThat(PG.schemaDump("shop_copy")).isEqualTo(schema);
        assertThat(probe("shop_copy")).isEqualTo(answers);
        assertThat(PG.value("shop_copy", "SELECT convert_from(lo_get(body), 'UTF8') FROM public.documents"))
                .isEqualTo("large object ✓");
        PG.execute("shop_copy", "INSERT INTO billing.invoices(user_id, amount, issued) VALUES (1, 9.99, '2026-12-24')");
        assertThat(PG.query("shop_copy", "SELECT \"What\" FROM \"Audit Log\".\"Events\" ORDER BY \"Id\" DESC LIMIT 2"))
                .as("the trigger fires once per new invoice, and the sequences go on where they were")
                .containsExactly("invoice 21000", "invoice 20999");
        assertThat(PG.rowCounts("shop")).isEqualTo(counts);
        assertThat(PG.schemaDump("shop")).isEqualTo(schema);
        assertThat(probe("shop")).isEqualTo(answers);
    }

    /**
     * The appended rows (about 0.5 MB here) and the dump's header each cost a chunk or two of 1 MiB on
     * average, so on this 56 MB dump the second backup adds 3 to 6% depending on the repository's chunker
     * seed (30 seeds measured); the 5% target is for the 1.5 GB benchmark, where those chunks vanish.
     */
    @Test
    void aSecondBackupAfterAppendingOnePercentOfRowsStoresLittleNewData() {
        Repository repo = TestRepositories.init(new MemoryBackend());
        PG.copyDatabase("shop", "ledger");
        Summary first = backup(repo, "ledger").snapshot().summary();
        PG.execute("ledger", "INSERT INTO billing.payments(invoice_id, amount, paid_at, method) "
                + "SELECT 1000 + g % 20000, (g % 977) * 1.25, timestamptz '2026-06-01' + g * interval '1 second', 'card' "
                + "FROM generate_series(1, 10000) g");

        Summary second = backup(repo, "ledger").snapshot().summary();

        System.out.printf("append 1%% of rows: dump %,d -> %,d bytes; new data %,d -> %,d bytes (%.2f%%), "
                        + "stored %,d -> %,d bytes (%.2f%%)%n", first.bytes(), second.bytes(), first.newBytes(),
                second.newBytes(), 100.0 * second.newBytes() / first.newBytes(), first.storedBytes(),
                second.storedBytes(), 100.0 * second.storedBytes() / first.storedBytes());
        assertThat(second.bytes()).isGreaterThan(first.bytes());
        assertThat(second.newBytes()).isLessThan(first.newBytes() / 10);
        assertThat(second.storedBytes()).isLessThan(first.storedBytes() / 10);
    }

    private SnapshotRef backup(Repository repo, String database) {
        return new DatabaseBackup(repo, Progress.NONE).run(new DatabaseBackup.Request(PG.connection(database), false,
                List.of(), null, tools));
    }

    private DatabaseRestore.Result restore(Repository repo, SnapshotRef snapshot, ConnectionSpec target) {
        DatabaseRestore.Request request = new DatabaseRestore.Request(snapshot, null, target, false, true, 2, false,
                List.of(), List.of(), null, null, tools, null);
        return new DatabaseRestore(repo, Progress.NONE).run(request, spec -> {
            throw new AssertionError("a restore into a new database took a safety backup of " + spec);
        });
    }

    private static Map<String, String> probe(String database) {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String sql : PROBES) {
            answers.put(sql, PG.value(database, sql));
        }
        return answers;
    }
}
