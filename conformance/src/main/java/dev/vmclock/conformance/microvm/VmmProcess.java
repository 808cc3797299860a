package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.TiedProcesses;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One VMM process with its API socket, in a directory of its own (socket, stdout = the serial console for both VMMs,
 * stderr). None outlives this JVM: started as QEMU's processes are ({@link TiedProcesses}).
 */
public final class VmmProcess implements AutoCloseable {

    private static final Duration SOCKET_WAIT = Duration.ofSeconds(10);

    private final String vmm;
    private final Path dir;
    private final Process process;
    private final ApiClient api;

    private VmmProcess(String vmm, Path dir, Process process, ApiClient api) {
        this.vmm = vmm;
        this.dir = dir;
        this.process = process;
        this.api = api;
    }

    /**
     * Starts {@code binary} with {@code args} in {@code dir} and waits until its API socket {@code dir/api.sock}
     * accepts a connection; the arguments must name that socket.
     */
    public static VmmProcess start(String vmm, Path binary, List<String> args, Path dir, Duration requestTimeout) {
        Path socket = apiSocket(dir);
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        Process p;
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("argv.txt"), cmd);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectOutput(dir.resolve("console.log").toFile()).redirectError(dir.resolve("stderr.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            p = TiedProcesses.start(pb);
        } catch (IOException e) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "cannot start " + vmm + " " + binary + ": "
                    + e.getMessage(), e);
        }
        VmmProcess v = new VmmProcess(vmm, dir, p, new ApiClient(vmm, socket, requestTimeout));
        v.awaitSocket();
        return v;
    }

    /** Where a process started in {@code dir} serves its API. */
    public static Path apiSocket(Path dir) {
        return dir.resolve("api.sock");
    }

    private void awaitSocket() {
        long end = System.nanoTime() + SOCKET_WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                close();
                throw new HarnessException(ExitCode.HARNESS_ERROR, vmm + " exited (" + process.exitValue()
                        + ") before its API socket answered: " + stderrTail());
            }
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(api.socket()));
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close();
        throw new HarnessException(ExitCode.HARNESS_ERROR, vmm + "'s API socket " + api.socket() + " did not answer"
                + " within " + SOCKET_WAIT.toSeconds() + " s");
    }

    public ApiClient api() {
        return api;
    }

    public Path dir() {
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The guest's serial console (both VMMs write it to their stdout). */
    public Path console() {
        return dir.resolve("console.log");
    }

    /** The last line of the VMM's stderr, for a one-line error. */
    public String stderrTail() {
        try {
            Path e = dir.resolve("stderr.log");
            return Files.exists(e) ? Files.readString(e, StandardCharsets.ISO_8859_1).strip().lines()
                    .reduce((a, b) -> b).orElse("(stderr empty)") : "(no stderr)";
        } catch (IOException e) {
            return "(stderr unreadable)";
        }
    }

    /** Why the process is gone, if it is. */
    public java.util.Optional<String> gone() {
        return process.isAlive() ? java.util.Optional.empty()
                : java.util.Optional.of(vmm + " (pid " + process.pid() + ") exited " + process.exitValue() + ": "
                + stderrTail());
    }

    /** Kills the process (a VMM's own shutdown is not trusted to end it) and waits for it. */
    @Override
    public void close() {
        api.close();
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(api.socket());
        } catch (IOException e) {
            // the run directory goes with the evidence anyway
        }
    }
}
