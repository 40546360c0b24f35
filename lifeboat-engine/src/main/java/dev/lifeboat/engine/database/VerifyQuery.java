package dev.lifeboat.engine.database;

import dev.lifeboat.error.LifeboatException;

/** A verification query and the single value it must return, written "SQL => expected" in configuration. */
public record VerifyQuery(String sql, String expected) {
    public VerifyQuery {
        if (sql == null || sql.isBlank()) {
            throw LifeboatException.usage("a verification query has no SQL", "write it as 'SELECT ... => expected'");
        }
    }

    public static VerifyQuery parse(String text) {
        int arrow = text.lastIndexOf("=>");
        if (arrow < 0) {
            throw LifeboatException.usage("verification query '" + text + "' has no expected value",
                    "write it as 'SELECT count(*) FROM users WHERE email IS NULL => 0'");
        }
        return new VerifyQuery(text.substring(0, arrow).strip(), text.substring(arrow + 2).strip());
    }
}
