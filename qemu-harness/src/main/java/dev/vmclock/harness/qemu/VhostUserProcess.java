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
        boolean up = Waits.poll(START_TIMEOUT, Duration.ofMillis(5), () -> !p.isAlive() || Files.exists(socket), done -> done);
        if (!p.isAlive() || !up) {
            b.close();
            throw new HarnessException(failure, what + (up ? " failed at start: it " + b.exitDescription()
                    : " made no socket " + socket.getFileName() + " within " + START_TIMEOUT.toSeconds() + " s")
                    + " (see " + b.stderr() + ")");
        }
        return b;
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

    /** "exited with status N: first line of its stderr", for one-line errors. */
    String exitDescription() {
        String status = process.isAlive() ? "is running" : "exited with status " + process.exitValue();
        String first = firstLine(stderr());
        return status + (first.isEmpty() ? "" : ": " + first);
    }

    static String firstLine(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> !l.isBlank()).findFirst().orElse("").strip() : "";
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
