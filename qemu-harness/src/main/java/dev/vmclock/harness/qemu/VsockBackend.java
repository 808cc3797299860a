package dev.vmclock.harness.qemu;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.images.FileTree;
import dev.vmclock.images.GuestImageBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * rust-vmm's {@code vhost-device-vsock}: the back end of QEMU's {@code vhost-user-vsock-pci}, one process per QEMU,
 * exposing the guest's vsock as a hybrid vsock unix socket ({@code vsock.sock}) in the run directory. It runs on this
 * machine even when QEMU runs in a container: the run directory is bind-mounted at the same path there, and
 * vhost-user passes guest RAM as file descriptors over the socket, which crosses the container boundary. Started
 * like QEMU ({@link dev.vmclock.harness.TiedProcesses}: it dies with this JVM, also on {@code kill -9}).
 */
public final class VsockBackend implements AutoCloseable {

    public static final String BINARY = "vhost-device-vsock";
    /** The guest's vsock context id (any id >= 3 does: the machine has one vsock device). */
    public static final int GUEST_CID = 3;
    static final String VHOST_SOCKET = "vhost.sock";
    static final String HYBRID_SOCKET = "vsock.sock";
    private static final String SCRIPT = "dev/vmclock/harness/qemu/vhost-device-vsock.sh";
    private static final String MIRROR_HELPER = "dev/vmclock/images/debian-mirror.sh";
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(5);

    private final VhostUserProcess process;
    private final Path dir;
    private final Path binary;

    private VsockBackend(VhostUserProcess process, Path dir, Path binary) {
        this.process = process;
        this.dir = dir;
        this.binary = binary;
    }

    /**
     * The back end binary: {@code given} when the user named one (it must be executable), else the one cached under
     * {@code <cache>/vhost-device-vsock/}, fetched from Debian on first use (vhost-device-vsock.sh).
     */
    public static synchronized Path locate(Optional<Path> given) {
        if (given.isPresent()) {
            Path p = given.get();
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new HarnessException(ExitCode.VSOCK_BACKEND, "the vsock back end " + p + " is "
                        + (Files.exists(p) ? "not executable" : "missing") + "; give the path of a " + BINARY
                        + " binary or leave it out to fetch Debian's");
            }
            return p.toAbsolutePath();
        }
        Path out = GuestImageBuilder.defaultCacheRoot().resolve(BINARY);
        Path bin = out.resolve("usr/bin/" + BINARY);
        if (Files.isExecutable(bin)) {
            return bin;
        }
        fetch(out);
        return bin;
    }

    /** Runs the fetch script (mirror from the apt sources, private apt state, no install) into {@code out}. */
    private static void fetch(Path out) {
        Path work = null;
        try {
            work = Files.createTempDirectory("vmclock-vsock-fetch-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(work.resolve("vhost-device-vsock.sh"), resource(SCRIPT));
            Files.write(work.resolve("debian-mirror.sh"), resource(MIRROR_HELPER));
            Path log = work.resolve("fetch.log");
            Process p = new ProcessBuilder("bash", work.resolve("vhost-device-vsock.sh").toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new HarnessException(ExitCode.VSOCK_BACKEND, "fetching " + BINARY + " took over "
                        + FETCH_TIMEOUT.toMinutes() + " min; check the network and the apt mirror, or give --vsock-backend PATH");
            }
            if (p.exitValue() != 0) {
                String error = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("ERROR: "))
                        .reduce((a, b) -> b).map(l -> l.substring(7)).orElse("the script exited with status " + p.exitValue());
                throw new HarnessException(ExitCode.VSOCK_BACKEND, "cannot fetch the vsock back end " + BINARY + ": "
                        + error + " (or give --vsock-backend PATH)");
            }
        } catch (IOException e) {
            throw new HarnessException(ExitCode.VSOCK_BACKEND, "cannot run the fetch of " + BINARY + ": " + e.getMessage()
                    + "; install bash and apt, or give --vsock-backend PATH", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(ExitCode.VSOCK_BACKEND, "interrupted while fetching " + BINARY, e);
        } finally {
            FileTree.deleteQuietly(work);
        }
    }

    /**
     * {@code binary --version} (e.g. "vhost-device-vsock 0.3.0"): what the run records, and a check, before any guest
     * boots, that the binary runs here at all; a binary that does not is exit code 8, one line.
     */
    public static String version(Path binary) {
        Command.Result r;
        try {
            r = Command.of(binary.toString(), "--version").run(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new HarnessException(ExitCode.VSOCK_BACKEND, "the vsock back end " + binary + " does not run here: "
                    + e.getMessage() + "; give the path of a " + BINARY + " binary or leave it out to fetch Debian's", e);
        }
        String out = r.stdout().strip();
        if (!r.ok() || !out.startsWith(BINARY)) {
            String said = (r.stderr().isBlank() ? out : r.stderr()).lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            throw new HarnessException(ExitCode.VSOCK_BACKEND, "the vsock back end " + binary + " is not " + BINARY + ": '"
                    + binary.getFileName() + " --version' exited " + r.exitCode() + (said.isEmpty() ? "" : " (" + said.strip() + ")")
                    + "; give the path of a " + BINARY + " binary or leave it out to fetch Debian's");
        }
        return out.lines().findFirst().orElse(out);
    }

    /** What the cache holds: {@code name version sha256} of the .deb it came from, if it was fetched. */
    public static Optional<String> fetchedPackage() {
        try {
            return Optional.of(Files.readString(GuestImageBuilder.defaultCacheRoot().resolve(BINARY).resolve("package")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts the back end with its sockets in {@code dir}; returns once QEMU can connect to it. */
    public static VsockBackend start(Path binary, Path dir) {
        List<String> argv = List.of(binary.toString(), "--vm", "guest-cid=" + GUEST_CID + ",socket=" + dir.resolve(VHOST_SOCKET)
                + ",uds-path=" + dir.resolve(HYBRID_SOCKET));
        return new VsockBackend(VhostUserProcess.start("vsock-backend", "the vsock back end " + binary.getFileName(), argv,
                dir, dir.resolve(VHOST_SOCKET), ExitCode.VSOCK_BACKEND), dir, binary);
    }

    /** The hybrid vsock socket the agent is reached through. */
    public Path hybridSocket() {
        return dir.resolve(HYBRID_SOCKET);
    }

    /** The vhost-user socket QEMU connects to. */
    public Path vhostSocket() {
        return process.socket();
    }

    public Path binary() {
        return binary;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** "exited with status N: first line of its stderr", for one-line errors. */
    public String exitDescription() {
        return process.exitDescription();
    }

    /** Kills the back end and removes its sockets (also from a run directory kept as evidence). */
    @Override
    public void close() {
        process.close();
        try {
            Files.deleteIfExists(hybridSocket());
        } catch (IOException e) {
            // the directory goes with the run unless it is kept
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VsockBackend.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is missing from the classpath; rebuild qemu-harness");
            }
            return in.readAllBytes();
        }
    }
}
