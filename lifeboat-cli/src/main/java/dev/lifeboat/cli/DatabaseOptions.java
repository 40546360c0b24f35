package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgTools;
import picocli.CommandLine.Option;

import java.util.Map;

/** Options naming the PostgreSQL database a command works on. */
final class DatabaseOptions {
    @Option(names = "--db-url", paramLabel = "URL",
            description = "postgres://user@host:port/database (default: database.url, DATABASE_URL, PG* variables)")
    String url;

    @Option(names = {"-d", "--database"}, paramLabel = "NAME", description = "the database name (overrides the URL's)")
    String database;

    ConnectionSpec connection(Config config, Map<String, String> env) {
        String u = url != null ? url : config.get(Settings.DATABASE_URL);
        return ConnectionSpec.resolve(u, database, env);
    }

    static PgTools tools(Config config, Map<String, String> env) {
        return new PgTools(config.get(Settings.POSTGRES_BIN_DIR), env);
    }
}
