package dev.lifeboat.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client the launcher runs when a resident process listens for its working directory: it hands the
 * command line, the environment and the terminal flag over, copies the command's output, and exits with
 * its status. It exits with {@link Resident#DECLINED_STATUS}, having printed nothing, when there is no
 * process to talk to, or it did not take the command, or declined it before any output; the launcher then
 * runs the command in a fresh JVM. Once the process took a command, the client never runs it itself.
 * Uses JDK classes only: it starts in about 0.1 s (0.2 s with an empty page cache). The launcher prefers the
 * native client the build compiles beside the jar (src/main/c/lifeboat-client.c), which behaves the same and
 * starts in milliseconds; this one serves where no C compiler was found. Change both together
 * ({@code ResidentClientsIT} runs each).
 */
public final class ResidentClient {
    private ResidentClient() {
    }

    /** Arguments: the socket, then the lifeboat command line. */
    public static void main(String[] args) {
        List<String> command = Arrays.asList(args).subList(1, args.length);
        System.exit(run(Path.of(args[0]), command, System.getenv(), System.getProperty("user.dir"),
                Cli.systemTerminal(), System.out, System.err));
    }

    static int run(Path socket, List<String> args, Map<String, String> env, String cwd, boolean terminal,
            PrintStream out, PrintStream err) {
        boolean accepted = false;
        boolean printed = false;
        CountDownLatch ended = new CountDownLatch(1);
        Thread onSignal = null;
        try (SocketChannel ch = Resident.connect(socket)) {
            DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            new Resident.Run(cwd, terminal, env, args).send(request);
            // Ctrl-C or SIGTERM: tell the process (it interrupts the command), and print what the command says
            // as it stops, for up to 10 s, before this JVM exits
            onSignal = new Thread(() -> {
                try {
                    ch.shutdownOutput();
                    ended.await(10, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException ignored) {
                    // exiting anyway
                }
            });
            Runtime.getRuntime().addShutdownHook(onSignal);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 65536));
            while (true) {
                byte type = in.readByte();
                byte[] b = Resident.readFrame(in);
                switch (type) {
                    case Resident.ACCEPTED -> accepted = true;
                    case Resident.OUT -> {
                        printed = true;
                        out.write(b);
                        out.flush();
                    }
                    case Resident.ERR -> {
                        printed = true;
                        err.write(b);
                        err.flush();
                    }
                    case Resident.EXIT -> {
                        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
                    }
                    case Resident.DECLINE -> {
                        if (!printed) {
                            return Resident.DECLINED_STATUS;
                        }
                        throw new IOException("declined after output");
                    }
                    default -> throw new IOException("unknown frame type " + type);
                }
            }
        } catch (IOException e) {
            if (!accepted) {
                return Resident.DECLINED_STATUS;
            }
            err.println("lifeboat: lost the resident process while it ran the command ("
                    + (e instanceof EOFException ? "it stopped" : e.getMessage()) + ")");
            err.println("HINT: see its log beside '" + socket + "'; 'lifeboat resident status' says whether it runs");
            return 1;
        } finally {
            ended.countDown();
            if (onSignal != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
        }
    }
}
