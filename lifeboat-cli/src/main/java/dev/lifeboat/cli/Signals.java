package dev.lifeboat.cli;

import sun.misc.Signal;

/**
 * Graceful stop on SIGTERM and SIGINT for long-running commands. A shutdown hook cannot do this: the JVM
 * then exits with 143 or 130 whatever the hook does, while a command stopped on purpose must exit 0.
 * {@code sun.misc.Signal} is the JDK's supported way to handle signals (module jdk.unsupported).
 */
final class Signals {
    private Signals() {
    }

    /** Calls {@code stop} on the signal's thread when SIGTERM or SIGINT arrives, instead of exiting. */
    static void onTerminate(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> stop.run());
        }
    }
}
