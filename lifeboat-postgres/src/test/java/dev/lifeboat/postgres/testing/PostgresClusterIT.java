package dev.lifeboat.postgres.testing;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test cluster leaves nothing behind: no server and no files, whether its setup worked or not. */
class PostgresClusterIT {
    @TempDir
    Path dir;

    @Test
    void aClusterServesWhileTheClassRunsAndIsGoneAfterwards() throws IOException {
        PostgresCluster pg = PostgresCluster.withSample("shop", 10).inside(dir);
        pg.beforeAll(null);
        ConnectionSpec shop = pg.connection("shop");
        try {
            assertThat(pg.databases()).containsExactly("postgres", "shop");
            assertThat(pg.rowCounts("shop")).containsEntry("billing.payments", 10L).containsEntry("public.users", 1000L);
            assertThat(folders()).hasSize(1);
            assertThat(servers()).hasSize(1);
        } finally {
            pg.afterAll(null);
        }

        assertThat(folders()).isEmpty();
        assertThat(servers()).isEmpty();
        assertThatThrownBy(shop::connect).isInstanceOf(LifeboatException.class)
                .hasMessageStartingWith("cannot connect to '" + shop.display() + "'");
    }

    @Test
    void aClusterWhoseSeedingFailsIsStoppedAndDeletedAtOnce() throws IOException {
        PostgresCluster pg = PostgresCluster.withSample("", 10).inside(dir);

        assertThatThrownBy(() -> pg.beforeAll(null)).isInstanceOf(LifeboatException.class)
                .hasMessageContaining("zero-length delimited identifier");

        assertThat(folders()).isEmpty();
        assertThat(servers()).isEmpty();
    }

    private List<Path> folders() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    /** Server processes whose command line names a folder below the test's. */
    private List<ProcessHandle> servers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("postgres") && c.contains(dir.toString())).orElse(false)).toList();
    }
}
