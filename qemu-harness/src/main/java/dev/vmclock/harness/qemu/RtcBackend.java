package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A virtio-rtc device implemented by a vhost-user back end (QEMU's front end {@code vhost-user-rtc-pci}, QEMU >= 11.1):
 * a command the user names ({@code --vhost-user-rtc}), started beside QEMU with {@code --socket-path SOCKET}, the
 * convention of rust-vmm's {@code vhost-device-*} back ends and of the project's reference device.
 */
public final class RtcBackend implements AutoCloseable {

    /** The front end QEMU must have. */
    public static final String FRONT_END = "vhost-user-rtc-pci";
    static final String SOCKET = "rtc.sock";
    static final String NAME = "rtc-backend";

    /**
     * The back end's command line: its executable and the arguments before {@code --socket-path}, split at spaces
     * (no shell: a path with spaces cannot be given this way).
     */
    public record CommandLine(List<String> argv) {
        public CommandLine {
            argv = List.copyOf(argv);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("empty back end command");
            }
        }

        /** Parses {@code PATH_OR_COMMAND}: a one-line error (exit 9) for an empty, missing or not executable program. */
        public static CommandLine parse(String text) {
            List<String> words = Arrays.stream(text.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
            if (words.isEmpty()) {
                throw new HarnessException(ExitCode.RTC_BACKEND, "--vhost-user-rtc needs the back end's path or command");
            }
            Path program = executable(words.get(0));
            List<String> argv = new ArrayList<>(words);
            argv.set(0, program.toString());
            return new CommandLine(argv);
        }

        private static Path executable(String word) {
            if (word.contains("/")) {
                Path p = Path.of(word).toAbsolutePath();
                if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                    throw new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end " + p + " is "
                            + (Files.exists(p) ? "not executable (chmod +x it)" : "missing") + "; give the path of a "
                            + "vhost-user virtio-rtc back end");
                }
                return p;
            }
            return Optional.ofNullable(System.getenv("PATH")).stream().flatMap(s -> Arrays.stream(s.split(":")))
                    .map(d -> Path.of(d).resolve(word)).filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                    .findFirst().orElseThrow(() -> new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end "
                            + word + " is not on the PATH; give its path"));
        }

        public Path program() {
            return Path.of(argv.get(0));
        }

        @Override
        public String toString() {
            return String.join(" ", argv);
        }
    }

    private final VhostUserProcess process;
    private final CommandLine command;

    private RtcBackend(VhostUserProcess process, CommandLine command) {
        this.process = process;
        this.command = command;
    }

    /**
     * The first line of {@code COMMAND --version}: what the run records, and a check before anything starts that the
     * back end runs here at all (exit 9, one line, if not).
     */
    public static String version(CommandLine command) {
        return VERSIONS.computeIfAbsent(command, RtcBackend::askVersion);
    }

    /** One {@code --version} per back end and JVM: the run's record asks again, the answer does not change. */
    private static final java.util.Map<CommandLine, String> VERSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String askVersion(CommandLine command) {
        List<String> argv = new ArrayList<>(command.argv());
        argv.add("--version");
        Command.Result r;
        try {
            r = new Command(argv).run(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end " + command + " does not run here: "
                    + e.getMessage(), e);
        }
        String out = r.stdout().strip();
        if (!r.ok() || out.isEmpty()) {
            String said = (r.stderr().isBlank() ? out : r.stderr()).lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            throw new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end " + command + " does not answer "
                    + "--version (exit " + r.exitCode() + (said.isEmpty() ? "" : ": " + said.strip()) + "); a vhost-user "
                    + "back end must print its name and version and exit 0");
        }
        return out.lines().findFirst().orElse(out).strip();
    }

    /** VIRTIO_F_VERSION_1: a modern device, which is all QEMU's vhost-user-rtc-pci drives. */
    private static final long VIRTIO_F_VERSION_1 = 1L << 32;

    /**
     * Starts the back end once in a directory of its own, asks it {@code VHOST_USER_GET_FEATURES} and stops it: a back
     * end that exits at start, makes no socket, speaks another vhost-user version or offers no modern device is one
     * line (exit 9) before any machine starts, its directory kept for the back end's log. Returns the device features it
     * offers.
     */
    public static long probe(CommandLine command) {
        Path dir = null;
        boolean ok = false;
        try {
            dir = java.nio.file.Files.createTempDirectory("vmclock-rtc-probe-",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            try (RtcBackend b = start(command, dir)) {
                long features;
                try {
                    features = VhostUserProbe.features(b.socket(), Duration.ofSeconds(5));
                } catch (IOException e) {
                    throw new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end " + command + " is not a"
                            + " vhost-user back end QEMU can use: " + e.getMessage()
                            + (b.isAlive() ? "" : " (it " + b.exitDescription() + ")"), e);
                }
                if ((features & VIRTIO_F_VERSION_1) == 0) {
                    throw new HarnessException(ExitCode.RTC_BACKEND, "the virtio-rtc back end " + command + " offers"
                            + " features 0x" + Long.toHexString(features) + " without VIRTIO_F_VERSION_1 (bit 32); "
                            + RtcBackend.FRONT_END + " drives modern devices only");
                }
                ok = true;
                return features;
            }
        } catch (IOException e) {
            throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot make a temporary directory: " + e.getMessage(), e);
        } finally {
            if (ok) {
                dev.vmclock.images.FileTree.deleteQuietly(dir); // else its log is what the one line points to
            }
        }
    }

    /** Starts the back end with its socket in {@code dir}; returns once QEMU can connect to it. */
    static RtcBackend start(CommandLine command, Path dir) {
        Path socket = dir.resolve(SOCKET);
        List<String> argv = new ArrayList<>(command.argv());
        argv.addAll(List.of("--socket-path", socket.toString()));
        return new RtcBackend(VhostUserProcess.start(NAME, "the virtio-rtc back end " + command.program().getFileName(),
                argv, dir, socket, ExitCode.RTC_BACKEND), command);
    }

    public CommandLine command() {
        return command;
    }

    public Path socket() {
        return process.socket();
    }

    /** The back end's stderr in the run directory: its own log, kept as evidence. */
    public Path log() {
        return process.stderr();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Copies what the back end printed (stdout, stderr) and its argv into {@code dir} as {@code NAME.*}: evidence. */
    public void keepOutput(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            for (String ext : List.of("argv", "stdout", "stderr")) {
                Path from = process.stderr().resolveSibling(NAME + "." + ext);
                if (Files.exists(from)) {
                    Files.copy(from, dir.resolve(name + "." + ext), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // evidence is best effort; the run's verdicts do not depend on it
        }
    }

    /** "exited with status N: first line of its stderr". */
    public String exitDescription() {
        return process.exitDescription();
    }

    @Override
    public void close() {
        process.close();
    }
}
