package dev.lifeboat.engine.retention;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.error.LifeboatException;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The retention policies in force: per group ({@code retention.<group>.*}), per source
 * ({@code retention.sources}), {@code retention.days} (BACKUP_RETENTION_DAYS) as keep-within for every
 * source, then the command line's rules over all of those, in that order of precedence (last wins, rule by
 * rule).
 */
public record RetentionConfig(Map<String, Policy> byGroup, Map<String, Policy> bySource, Integer days,
                              Policy commandLine, ZoneId zone) implements RetentionPlanner.PolicyLookup {

    /**
     * Resolves the policies.
     *
     * @param commandLine rules given on the command line ({@link Policy#NONE} for none)
     * @param zone        the time zone given on the command line, or null for the configured one
     */
    public static RetentionConfig from(Config config, Policy commandLine, ZoneId zone) {
        Map<String, Policy> byGroup = new LinkedHashMap<>();
        for (String group : Settings.RETENTION_GROUPS) {
            Policy p = Policy.NONE;
            for (String rule : Policy.RULES) {
                Object v = config.get(Settings.retention(group, rule));
                if (v != null) {
                    p = p.with(rule, v.toString(), "retention." + group + "." + rule);
                }
            }
            byGroup.put(group, p);
        }
        Map<String, Policy> bySource = new HashMap<>();
        for (String entry : config.get(Settings.RETENTION_SOURCES)) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw LifeboatException.usage("retention.sources entry '" + entry + "' has no source name",
                        "write it as 'SOURCE: keep-daily=7 keep-within=30d'");
            }
            String source = entry.substring(0, colon).trim();
            try {
                bySource.put(source, Policy.parse(entry.substring(colon + 1), "retention.sources entry '" + source + "'"));
            } catch (IllegalArgumentException e) {
                throw LifeboatException.usage(e.getMessage(), "see docs/configuration.md");
            }
        }
        ZoneId z = zone;
        if (z == null) {
            String configured = config.get(Settings.RETENTION_TIME_ZONE);
            z = configured == null ? ZoneId.systemDefault() : ZoneId.of(configured);
        }
        return new RetentionConfig(byGroup, bySource, config.get(Settings.RETENTION_DAYS), commandLine, z);
    }

    @Override
    public Policy policy(String policyKey, String source) {
        Policy p = byGroup.getOrDefault(policyKey, Policy.NONE);
        Policy own = bySource.get(source);
        if (own != null) {
            p = p.overriddenBy(own);
        }
        if (days != null) {
            p = p.overriddenBy(new Policy(0, 0, 0, 0, 0, 0, new KeepWithin(days, 'd')));
        }
        return p.overriddenBy(commandLine);
    }
}
