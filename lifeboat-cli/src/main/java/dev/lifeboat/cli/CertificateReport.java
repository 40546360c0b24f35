package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.repo.snapshot.Snapshot;

import java.time.Duration;
import java.time.Instant;

/** Prints the soonest certificate expiry of a certificates snapshot. */
final class CertificateReport {
    private CertificateReport() {
    }

    /** The soonest expiry recorded in the snapshot, or null. */
    static Instant soonestExpiry(Snapshot s) {
        JsonNode d = s.details();
        if (d == null || !d.hasNonNull("soonestExpiry")) {
            return null;
        }
        return Instant.parse(d.get("soonestExpiry").asText());
    }

    static void print(BaseCommand cmd, Snapshot s, int warnDays) {
        Instant expiry = soonestExpiry(s);
        if (expiry == null) {
            if ("certificates".equals(s.type())) {
                cmd.say("  no X.509 certificate found");
            }
            return;
        }
        int count = s.details().get("certificates").size();
        long days = Duration.between(Instant.now(), expiry).toDays();
        String path = s.details().get("soonestExpiryPath").asText();
        cmd.say(String.format("  %d certificate(s); soonest expiry %s (%d days) in '%s'", count,
                Format.time(expiry), days, path));
        if (expiry.isBefore(Instant.now())) {
            cmd.cli.err().println("warning: certificate '" + path + "' expired on " + Format.time(expiry));
        } else if (days < warnDays) {
            cmd.cli.err().println("warning: certificate '" + path + "' expires in " + days + " days");
        }
    }
}
