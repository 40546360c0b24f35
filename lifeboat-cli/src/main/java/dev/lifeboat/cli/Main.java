package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/** The lifeboat command: parses arguments and maps errors to messages and exit statuses. */
@Command(name = "lifeboat", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Backup and disaster recovery for PostgreSQL-backed applications.")
public final class Main implements Runnable {
    /**
     * The commands, in the order help lists them. A command line that names one gets only that one: picocli
     * reads the options of every command it is given by reflection, in code too cold to be compiled, which
     * took about 0.45 s of every start (of 0.66 s for {@code --version}).
     */
    static final List<Class<?>> COMMANDS = List.of(InitCommand.class, BackupCommand.class, SnapshotsCommand.class,
            LsCommand.class, RestoreCommand.class, DiffCommand.class, CheckCommand.class, KeyCommand.class,
            UnlockCommand.class, QuickstartCommand.class, WalCommand.class, CopyCommand.class, ForgetCommand.class,
            PruneCommand.class, TagCommand.class, RepairCommand.class, RewriteCommand.class, ResidentCommand.class,
            TrainCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        Cli cli = Cli.system();
        int status;
        try {
            status = execute(cli, args);
        } catch (OutOfMemoryError e) {
            status = outOfMemory(cli);
        }
        System.exit(status);
    }

    static int outOfMemory(Cli cli) {
        cli.err().println("lifeboat: out of memory: the Java heap is limited to "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        cli.err().println("HINT: raise the limit with LIFEBOAT_HEAP (for example LIFEBOAT_HEAP=2g); a repository's "
                + "index takes about 61 bytes per blob in memory");
        return ErrorCode.FAILURE.exitStatus();
    }

    /** Runs one command line and returns the exit status. */
    public static int execute(Cli cli, String... args) {
        CommandLine cmd = new CommandLine(new Main(), new Factory(cli));
        Class<?> named = commandNamed(args);
        for (Class<?> command : COMMANDS) {
            if (named == null || command == named) {
                cmd.addSubcommand(command);
            }
        }
        cmd.setOut(new PrintWriter(cli.out(), true));
        cmd.setErr(new PrintWriter(cli.err(), true));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        applyExitCodes(cmd);
        cmd.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage();
            cli.err().println("lifeboat: " + lowerFirst(msg));
            CommandLine sub = ex.getCommandLine();
            cli.err().println("HINT: run '" + sub.getCommandSpec().qualifiedName() + " --help' for usage");
            return ErrorCode.USAGE.exitStatus();
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> report(cli, ex));
        return cmd.execute(args);
    }

    /**
     * The command the first argument names, or null when it names none of them or asks for help (every command
     * is registered then, for the command list, for "did you mean" suggestions and for {@code help COMMAND}).
     */
    static Class<?> commandNamed(String[] args) {
        if (args.length == 0) {
            return null;
        }
        for (Class<?> command : COMMANDS) {
            Command c = command.getAnnotation(Command.class);
            if (command != CommandLine.HelpCommand.class
                    && (c.name().equals(args[0]) || Arrays.asList(c.aliases()).contains(args[0]))) {
                return command;
            }
        }
        return null;
    }

    static int report(Cli cli, Exception ex) {
        if (ex instanceof ResidentServer.PromptNeeded) {
            return Resident.DECLINED_STATUS;
        }
        if (ex instanceof LifeboatException le) {
            cli.err().println("lifeboat: " + le.getMessage());
            if (le.hint() != null) {
                cli.err().println("HINT: " + le.hint());
            }
            return le.code().exitStatus();
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return outOfMemory(cli);
            }
        }
        cli.err().println("lifeboat: internal error: " + ex);
        ex.printStackTrace(cli.err());
        cli.err().println("HINT: this is a bug in Lifeboat; please report it with the output above");
        return ErrorCode.FAILURE.exitStatus();
    }

    private static void applyExitCodes(CommandLine cmd) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(ExitCodes.list());
        for (CommandLine sub : cmd.getSubcommands().values()) {
            applyExitCodes(sub);
        }
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "invalid arguments";
        }
        String first = s.lines().findFirst().orElse(s);
        if (first.endsWith(".")) {
            first = first.substring(0, first.length() - 1);
        }
        return Character.toLowerCase(first.charAt(0)) + first.substring(1);
    }

    /** Creates commands with the CLI environment injected. */
    static final class Factory implements CommandLine.IFactory {
        private final Cli cli;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Cli cli) {
            this.cli = cli;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            K k = fallback.create(type);
            if (k instanceof CliCommand command) {
                command.cli = cli;
            }
            return k;
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"lifeboat " + (v == null ? "development build" : v)};
        }
    }
}
