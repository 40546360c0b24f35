package dev.lifeboat.repo.lock;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/** The content of a lock object: who holds it, since when, and when it was last refreshed. */
public record LockInfo(
        @JsonProperty("exclusive") boolean exclusive,
        @JsonProperty("command") String command,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("username") String username,
        @JsonProperty("pid") long pid,
        @JsonProperty("processStart") Instant processStart,
        @JsonProperty("created") Instant created,
        @JsonProperty("refreshed") Instant refreshed,
        @JsonProperty("leaseSeconds") long leaseSeconds) {

    /** Whether this lock no longer protects anything: its lease ran out, or its process is gone. */
    public boolean isStale(Instant now, String localHost) {
        if (refreshed.plusSeconds(leaseSeconds).isBefore(now)) {
            return true;
        }
        return hostname.equals(localHost) && !processAlive();
    }

    private boolean processAlive() {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(h -> processStart == null || h.info().startInstant()
                        .map(s -> Math.abs(s.toEpochMilli() - processStart.toEpochMilli()) < 2000)
                        .orElse(true))
                .orElse(false);
    }

    public String describe() {
        return (exclusive ? "an exclusive" : "a shared") + " lock held by '" + command + "' (pid " + pid
                + " on host '" + hostname + "', since " + created + ")";
    }
}
