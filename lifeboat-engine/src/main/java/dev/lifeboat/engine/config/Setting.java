package dev.lifeboat.engine.config;

import java.util.List;
import java.util.function.Function;

/**
 * One configuration setting, declared once: its name in lifeboat.yml (dotted path), the environment
 * variables that override it (first set wins), its type, default and description. The CLI help, the
 * YAML validation and docs/configuration.md all come from these declarations.
 *
 * @param parser turns a string (environment value or YAML scalar) into the value, throwing
 *               IllegalArgumentException with a lowercase reason on bad input
 */
public record Setting<T>(String name, List<String> env, String type, T defaultValue, String description,
                         Function<String, T> parser) {

    public Setting {
        env = List.copyOf(env);
    }

    /** Whether the value is a list (a YAML sequence, or comma-separated in the environment). */
    public boolean isList() {
        return type.startsWith("list");
    }

    /** The default rendered for documentation. */
    public String defaultText() {
        if (defaultValue == null) {
            return "(none)";
        }
        if (defaultValue instanceof List<?> list) {
            return list.isEmpty() ? "[]" : String.join(", ", list.stream().map(x -> "`" + x + "`").toList());
        }
        return "`" + defaultValue + "`";
    }
}
