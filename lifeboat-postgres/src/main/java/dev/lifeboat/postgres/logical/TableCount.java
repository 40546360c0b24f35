package dev.lifeboat.postgres.logical;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The exact number of rows of one table, counted in the dump's transaction snapshot. */
public record TableCount(@JsonProperty("schema") String schema, @JsonProperty("table") String table,
                         @JsonProperty("rows") long rows) {
    /** schema.table, quoted only where SQL needs it. */
    public String qualified() {
        return quote(schema) + "." + quote(table);
    }

    static String quote(String identifier) {
        if (identifier.matches("[a-z_][a-z0-9_$]*")) {
            return identifier;
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
