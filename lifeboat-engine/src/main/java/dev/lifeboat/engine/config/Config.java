package dev.lifeboat.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lifeboat.error.LifeboatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Configuration values resolved from lifeboat.yml and the environment. Unknown keys and values of the
 * wrong type are refused with a message naming the key.
 */
public final class Config {
    private final Map<String, Object> values;
    private final Path file;

    private Config(Map<String, Object> values, Path file) {
        this.values = values;
        this.file = file;
    }

    /** Defaults and environment only. */
    public static Config defaults(Map<String, String> env) {
        return load(null, env);
    }

    /**
     * Loads the file (which may be null for none) and applies environment overrides.
     */
    public static Config load(Path file, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>();
        if (file != null) {
            readYaml(file, values);
        }
        for (Setting<?> s : Settings.ALL) {
            for (String var : s.env()) {
                String v = env.get(var);
                if (v != null && !v.isEmpty()) {
                    values.put(s.name(), parse(s, v, "environment variable " + var));
                    break;
                }
            }
        }
        return new Config(values, file);
    }

    /** The file to read: the explicit one, LIFEBOAT_CONFIG, ./lifeboat.yml, /etc/lifeboat/lifeboat.yml. */
    public static Path locate(String explicit, Map<String, String> env) {
        if (explicit != null) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw LifeboatException.usage("configuration file '" + explicit + "' does not exist",
                        "check the --config path");
            }
            return p;
        }
        String fromEnv = env.get("LIFEBOAT_CONFIG");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            Path p = Path.of(fromEnv);
            if (!Files.isRegularFile(p)) {
                throw LifeboatException.usage("configuration file '" + fromEnv + "' (LIFEBOAT_CONFIG) does not exist",
                        "unset LIFEBOAT_CONFIG or point it at a file");
            }
            return p;
        }
        for (Path p : List.of(Path.of("lifeboat.yml"), Path.of("/etc/lifeboat/lifeboat.yml"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static void readYaml(Path file, Map<String, Object> values) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            String reason = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw LifeboatException.usage("cannot read configuration file '" + file + "': " + reason,
                    "fix the YAML syntax");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw LifeboatException.usage("configuration file '" + file + "' must be a mapping of settings",
                    "see docs/configuration.md");
        }
        flatten("", root, file, values);
    }

    private static void flatten(String prefix, JsonNode node, Path file, Map<String, Object> values) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = prefix + f.getKey();
            Setting<?> setting = find(name);
            if (setting == null) {
                if (f.getValue().isObject() && Settings.ALL.stream().anyMatch(s -> s.name().startsWith(name + "."))) {
                    flatten(name + ".", f.getValue(), file, values);
                    continue;
                }
                throw LifeboatException.usage("unknown setting '" + name + "' in '" + file + "'",
                        "the settings are listed in docs/configuration.md");
            }
            JsonNode v = f.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isArray() && setting.isList()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                        throw LifeboatException.usage("setting '" + name + "' in '" + file
                                + "' must be a list of non-empty strings", "see docs/configuration.md");
                    }
                    items.add(item.asText());
                }
                values.put(name, List.copyOf(items));
            } else if (v.isValueNode()) {
                values.put(name, parse(setting, v.asText(), "'" + file + "'"));
            } else {
                throw LifeboatException.usage("setting '" + name + "' in '" + file + "' must be a " + setting.type(),
                        "see docs/configuration.md");
            }
        }
    }

    private static Setting<?> find(String name) {
        return Settings.ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    private static Object parse(Setting<?> s, String text, String where) {
        try {
            return s.parser().apply(text);
        } catch (IllegalArgumentException e) {
            throw LifeboatException.usage(e.getMessage() + " (from " + where + ")", "see docs/configuration.md");
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(setting.name());
        return v == null ? setting.defaultValue() : (T) v;
    }

    /** The file the configuration came from, or null. */
    public Path file() {
        return file;
    }
}
