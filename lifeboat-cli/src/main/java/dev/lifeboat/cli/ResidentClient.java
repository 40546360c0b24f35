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

/**
 * The client the launcher runs when a resident process listens for its working directory: it hands the
 * command line, the environment and the terminal flag over, copies the command's output, and exits with
 * its status. It exits with {@link Resident#DECLINED_STATUS}, having printed nothing, when there is no
 * process to talk to or the process declined; the launcher then runs the command in a fresh JVM.
 * Uses java.base only: it starts in a few dozen milliseconds.
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
        boolean started = false;
        try (SocketChannel ch = Resident.connect(socket)) {
            DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            Resident.writeRun(request, cwd, terminal, env, args);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 65536));
            while (true) {
                byte type = in.readByte();
                byte[] b = in.readNBytes(in.readInt());
                switch (type) {
                    case Resident.OUT -> {
                        started = true;
                        out.write(b);
                        out.flush();
                    }
                    case Resident.ERR -> {
                        started = true;
                        err.write(b);
                        err.flush();
                    }
                    case Resident.EXIT -> {
                        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
                    }
                    default -> {
                        return Resident.DECLINED_STATUS;
                    }
                }
            }
        } catch (IOException e) {
            if (!started) {
                return Resident.DECLINED_STATUS;
            }
            err.println("lifeboat: lost the resident process while it ran the command ("
                    + (e instanceof EOFException ? "it stopped" : e.getMessage()) + ")");
            err.println("HINT: see its log beside '" + socket + "'; 'lifeboat resident status' says whether it runs");
            return 1;
        }
    }
}
