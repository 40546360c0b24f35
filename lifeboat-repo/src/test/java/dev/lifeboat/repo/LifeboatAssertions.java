package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Assertions on the errors users see: a {@link LifeboatException} with its code, message and hint. */
public final class LifeboatAssertions {
    private LifeboatAssertions() {
    }

    /** Asserts that the call throws a LifeboatException with the code; chain checks of the message on the result. */
    public static AbstractThrowableAssert<?, ? extends Throwable> assertFails(ThrowingCallable call, ErrorCode code) {
        return assertThatThrownBy(call).isInstanceOfSatisfying(LifeboatException.class,
                e -> assertThat(e.code()).as("error code").isEqualTo(code));
    }

    /** Asserts the exact message and hint (null for none) of the LifeboatException the call throws. */
    public static void assertFails(ThrowingCallable call, ErrorCode code, String message, String hint) {
        assertFails(call, code)
                .hasMessage(message)
                .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.hint()).as("hint").isEqualTo(hint));
    }
}
