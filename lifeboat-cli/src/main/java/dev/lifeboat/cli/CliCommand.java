package dev.lifeboat.cli;

import dev.lifeboat.repo.Json;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * What every command has, repository or not: the CLI environment (injected by {@link Main.Factory}), JSON
 * output and quiet mode.
 */
abstract class CliCommand implements Callable<Integer> {
    Cli cli;

    @Option(names = "--json", description = "print the result as JSON on standard output")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "print no progress")
    boolean quiet;

    void printJson(Object value) {
        try {
            cli.out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints a line of human output unless --json was given. */
    void say(String line) {
        if (!json) {
            cli.out().println(line);
        }
    }
}
