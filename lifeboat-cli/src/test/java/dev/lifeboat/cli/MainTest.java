package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The command line registers only the command it names; help and mistakes still see every command. */
class MainTest {
    @TempDir
    Path dir;

    @Test
    void aCommandLineNamingACommandGetsThatCommandOnly() {
        assertThat(Main.commandNamed(new String[] {"backup", "--help"})).isEqualTo(BackupCommand.class);
        assertThat(Main.commandNamed(new String[] {"key", "list"})).isEqualTo(KeyCommand.class);
        assertThat(Main.commandNamed(new String[] {"help", "backup"})).isNull();
        assertThat(Main.commandNamed(new String[] {"--version"})).isNull();
        assertThat(Main.commandNamed(new String[] {"bakup"})).isNull();
        assertThat(Main.commandNamed(new String[0])).isNull();
    }

    @Test
    void helpListsEveryCommand() {
        LifeboatCli.Run r = new LifeboatCli(dir).run("--help");

        assertThat(r.exit()).isZero();
        for (Class<?> command : Main.COMMANDS) {
            Command c = command.getAnnotation(Command.class);
            if (!c.hidden()) {
                assertThat(r.out()).as(c.name()).containsPattern("(?m)^  " + c.name() + " ");
            }
        }
        assertThat(r.err()).isEmpty();
    }

    /**
     * picocli formats help texts with String.format after replacing its ${...} variables, and for a stray '%'
     * prints a warning to stderr on every help; the annotations are checked as picocli reads them.
     */
    @Test
    void everyHelpTextIsAValidFormat() {
        Main.COMMANDS.forEach(MainTest::assertFormats);
    }

    private static void assertFormats(Class<?> type) {
        Command command = type.getAnnotation(Command.class);
        if (command != null) {
            assertFormats(type.getName(), command.description());
            for (Class<?> sub : command.subcommands()) {
                assertFormats(sub);
            }
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
                CommandLine.Parameters p = f.getAnnotation(CommandLine.Parameters.class);
                if (o != null) {
                    assertFormats(c.getName() + "." + f.getName(), o.description());
                }
                if (p != null) {
                    assertFormats(c.getName() + "." + f.getName(), p.description());
                }
                if (f.isAnnotationPresent(CommandLine.Mixin.class)) {
                    assertFormats(f.getType());
                }
            }
        }
    }

    private static void assertFormats(String where, String[] lines) {
        for (String line : lines) {
            String interpolated = line.replaceAll("\\$\\{[^}]*}", "x");
            assertThat(catchThrowable(() -> String.format(interpolated))).as(where + ": " + line).isNull();
        }
    }

    @Test
    void everyCommandsHelpWorksWhenItIsTheOnlyOneRegistered() {
        LifeboatCli cli = new LifeboatCli(dir);
        for (Class<?> command : Main.COMMANDS) {
            if (command == CommandLine.HelpCommand.class) {
                continue;
            }
            String name = command.getAnnotation(Command.class).name();
            LifeboatCli.Run r = cli.run(name, "--help");
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).as("%s", r).startsWith("Usage: lifeboat " + name);
        }
        assertThat(cli.run("help", "restore").out()).startsWith("Usage: lifeboat restore");
    }
}
