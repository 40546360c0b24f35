package dev.lifeboat.repo.backend;

import java.time.Instant;

/**
 * The object lock (write once, read many) on one stored object: its mode ({@code GOVERNANCE} or
 * {@code COMPLIANCE}) and when its retention ends; {@link #NONE} for an object without one.
 */
public record Retention(String mode, Instant until) {
    public static final Retention NONE = new Retention(null, null);

    /** Whether the object cannot be deleted or replaced at the instant. */
    public boolean protectsAt(Instant instant) {
        return mode != null && until != null && until.isAfter(instant);
    }
}
