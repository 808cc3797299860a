package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.TiedProcesses;
import dev.vmclock.harness.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A vhost-user back end process beside one QEMU: started before it (QEMU connects to its socket while it starts),
 * tied to this JVM ({@link TiedProcesses}: it dies with it, also on {@code kill -9}), its argv, stdout and stderr kept
 * in the run directory as {@code NAME.argv}, {@code NAME.stdout}, {@code NAME.stderr}. It runs on this machine even
 * when QEMU runs in a container: the run directory is bind-mounted at the same path there, and vhost-user passes guest
 * RAM as file descriptors over the socket, which crosses the container boundary.
 */
final class VhostUserProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path dir;
    private final Path socket;

    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    private static final long SO_ACCEPTCON = 0x10000;

    private VhostUserProcess(String name, Process process, Path dir, Path socket) {
        this.name = name;
        this.process = process;
        this.dir = dir;
        this.socket = socket;
    }

    /**
     * Starts {@code argv} in {@code dir} and returns once {@code socket} exists; a back end that cannot start, exits
     * or makes no socket is {@code failure}, one line naming {@code what} and its stderr.
     */
    static VhostUserProcess start(String name, String what, List<String> argv, Path dir, Path socket, ExitCode failure) {
        Process p;
        try {
            Files.write(dir.resolve(name + ".argv"), argv, StandardCharsets.UTF_8);
            p = TiedProcesses.start(argv, dir.resolve(name + ".stdout"), dir.resolve(name + ".stderr"));
        } catch (IOException e) {
            throw new HarnessException(failure, "cannot start " + what + ": " + e.getMessage(), e);
        }
        VhostUserProcess b = new VhostUserProcess(name, p, dir, socket);
        boolean up = Waits.poll(START_TIMEOUT, Duration.ofMillis(5), () -> !p.isAlive() || listening(socket), done -> done);
        if (!p.isAlive() || !up) {
            b.close();
            throw new HarnessException(failure, what + (up ? " failed at start: it " + b.exitDescription()
                    : " made no socket " + socket.getFileName() + " listening within " + START_TIMEOUT.toSeconds() + " s")
                    + " (see " + b.stderr() + ")");
        }
        return b;
    }

    /**
     * Whether a socket bound at {@code socket} accepts connections: bind() makes the file before listen(), and a
     * connect in between is refused (QEMU then fails to start; seen when the probe connected). /proc/net/unix shows
     * the listening flag (__SO_ACCEPTCON) without taking the back end's one connection; where it cannot be read, the
     * file has to do.
     */
    static boolean listening(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (var lines = Files.lines(PROC_NET_UNIX, StandardCharsets.ISO_8859_1)) {
            String path = socket.toAbsolutePath().toString();
            // "Num RefCount Protocol Flags Type St Inode Path": the path last, as bound (it may hold spaces)
            return lines.skip(1).filter(l -> l.endsWith(" " + path)).map(l -> l.trim().split("\\s+"))
                    .anyMatch(f -> f.length >= 8 && (Long.parseLong(f[3], 16) & SO_ACCEPTCON) != 0);
        } catch (IOException | java.io.UncheckedIOException | NumberFormatException e) {
            return true;
        }
    }

    Path socket() {
        return socket;
    }

    Path stderr() {
        return dir.resolve(name + ".stderr");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /**
     * "exited with status N: last line of its stderr", for one-line errors: the last, because a back end that logs
     * to stderr says why it stopped at the end.
     */
    String exitDescription() {
        String status = process.isAlive() ? "is running" : "exited with status " + process.exitValue();
        String last = lastLine(stderr());
        return status + (last.isEmpty() ? "" : ": " + last);
    }

    static String lastLine(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("").strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the back end and removes its socket (also from a run directory kept as evidence). */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the directory goes with the run unless it is kept
        }
    }
}
