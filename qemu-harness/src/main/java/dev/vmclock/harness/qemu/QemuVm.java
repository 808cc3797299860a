package dev.vmclock.harness.qemu;

import dev.vmclock.harness.guest.ConsoleLog;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.qmp.QmpClient;
import dev.vmclock.harness.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One running QEMU process with its QMP connection and private run directory. Closing it asks QEMU to
 * quit, kills it if it does not, and removes the run directory unless {@link #keepEvidence()} was
 * called.
 */
public final class QemuVm implements AutoCloseable {

    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIT_GRACE = Duration.ofSeconds(3);

    private final QemuBinary binary;
    private final MachineSpec spec;
    private final RunDirectory dir;
    private final Process process;
    private final QmpClient qmp;
    private final Duration startupTime;
    private final Optional<VsockBackend> vsock;
    private final Optional<RtcBackend> rtc;

    private QemuVm(QemuBinary binary, MachineSpec spec, RunDirectory dir, Process process, QmpClient qmp,
                   Duration startupTime, Optional<VsockBackend> vsock, Optional<RtcBackend> rtc) {
        this.vsock = vsock;
        this.rtc = rtc;
        this.binary = binary;
        this.spec = spec;
        this.dir = dir;
        this.process = process;
        this.qmp = qmp;
        this.startupTime = startupTime;
    }

    /** Starts QEMU in a fresh run directory and returns once QMP is ready. */
    public static QemuVm start(QemuBinary binary, MachineSpec spec) {
        return start(binary, spec, RunDirectory.create("vm"));
    }

    public static QemuVm start(QemuBinary binary, MachineSpec spec, RunDirectory dir) {
        long t0 = System.nanoTime();
        List<String> argv = spec.argv(binary.path(), dir.path());
        Process p = null;
        VsockBackend vsock = null;
        RtcBackend rtc = null;
        try {
            createSnapshotDisk(binary, spec, dir);
            Files.write(dir.resolve("argv"), argv, StandardCharsets.UTF_8);
            // The back end first: QEMU connects to its socket while it starts.
            if (spec.vsockBackend().isPresent()) {
                vsock = VsockBackend.start(spec.vsockBackend().get(), dir.path());
            }
            if (spec.rtcBackend().isPresent() && spec.has(dev.vmclock.harness.Device.VIRTIO_RTC)) {
                rtc = RtcBackend.start(spec.rtcBackend().get(), dir.path());
            }
            p = binary.host().start(argv, dir.path());
            QmpClient qmp;
            try {
                qmp = awaitQmp(p, dir, START_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                Optional<HarnessException> backend = rtc == null ? Optional.empty() : rtcBackendFailure(rtc, dir, e);
                if (backend.isPresent()) {
                    throw backend.get();
                }
                throw e;
            }
            return new QemuVm(binary, spec, dir, p, qmp, Duration.ofNanos(System.nanoTime() - t0), Optional.ofNullable(vsock),
                    Optional.ofNullable(rtc));
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.destroyForcibly();
                waitQuietly(p, Duration.ofSeconds(5));
            }
            if (vsock != null) {
                vsock.close();
            }
            if (rtc != null) {
                rtc.close();
            }
            dir.keep();
            if (e instanceof HarnessException he) {
                throw he;
            }
            throw startFailure(binary, dir, p, e);
        }
    }

    /**
     * QEMU exited while starting beside a virtio-rtc back end: when the back end died, or QEMU's own error is about
     * vhost-user (a back end speaking another protocol, refusing a message), the back end is the cause (exit 9).
     */
    private static Optional<HarnessException> rtcBackendFailure(RtcBackend rtc, RunDirectory dir, Exception e) {
        String qemuSaid = readQuietly(dir.resolve("qemu.stderr")).lines().filter(l -> l.contains("vhost"))
                .findFirst().orElse("").strip();
        if (rtc.isAlive() && qemuSaid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HarnessException(ExitCode.RTC_BACKEND, "QEMU could not start with the virtio-rtc back end "
                + rtc.command().program().getFileName() + ": " + (qemuSaid.isEmpty() ? "the back end " + rtc.exitDescription()
                : qemuSaid) + " (see " + rtc.log() + ")", e));
    }

    private static void createSnapshotDisk(QemuBinary binary, MachineSpec spec, RunDirectory dir) throws IOException {
        if (spec.snapshotDisk().isEmpty()) {
            return;
        }
        Path disk = dir.path().resolve(spec.snapshotDisk().get());
        if (Files.exists(disk)) {
            return;
        }
        Command.Result r = binary.host().run(List.of(binary.qemuImg().toString(), "create", "-q", "-f", "qcow2",
                disk.toString(), "1G"), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new HarnessException(ExitCode.HARNESS_ERROR, "qemu-img create " + disk + " failed: " + r.stderr().strip());
        }
    }

    private static QmpClient awaitQmp(Process p, RunDirectory dir, Duration timeout) throws IOException {
        Path sock = dir.resolve("qmp.sock");
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<QmpClient> qmp = Waits.poll(timeout, Duration.ofMillis(2), () -> tryConnect(p, sock, deadline),
                Optional::isPresent);
        return qmp.orElseThrow(() -> new IOException("QMP not ready within " + timeout.toSeconds() + " s"));
    }

    /** A QMP connection once QEMU accepts one; empty while its socket is not there or not accepting yet. */
    private static Optional<QmpClient> tryConnect(Process p, Path sock, long deadline) {
        if (!p.isAlive()) {
            throw exitedDuringStartup(p);
        }
        if (!Files.exists(sock)) {
            return Optional.empty();
        }
        try {
            return Optional.of(QmpClient.connect(sock, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        } catch (IOException e) {
            if (!p.isAlive()) {
                throw exitedDuringStartup(p);
            }
            return Optional.empty(); // the socket file exists but QEMU is not accepting yet
        }
    }

    private static UncheckedIOException exitedDuringStartup(Process p) {
        String message = "QEMU exited with status " + p.exitValue() + " during start-up";
        return new UncheckedIOException(message, new IOException(message));
    }

    private static HarnessException startFailure(QemuBinary binary, RunDirectory dir, Process p, Exception cause) {
        String stderr = readQuietly(dir.resolve("qemu.stderr")).strip();
        String first = stderr.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        ExitCode code = ExitCode.HARNESS_ERROR;
        String hint = "see " + dir.resolve("qemu.stderr");
        if (stderr.contains("'vmclock' is not a valid device model name")) {
            code = ExitCode.QEMU_WITHOUT_VMCLOCK;
            hint = "QEMU " + binary.version() + " has no vmclock device; use QEMU >= " + QemuVersion.FIRST_WITH_VMCLOCK;
        } else if (stderr.contains("KVM") && (stderr.contains("failed to initialize") || stderr.contains("internal error")
                || stderr.contains("Could not access KVM"))) {
            code = ExitCode.ACCELERATOR_UNAVAILABLE;
            hint = "KVM does not work here; use --accel tcg";
        }
        return new HarnessException(code, "QEMU failed to start: " + (first.isEmpty() ? cause.getMessage() : first)
                + " (" + hint + "; argv in " + dir.resolve("argv") + ")", cause);
    }

    public QmpClient qmp() {
        return qmp;
    }

    public QemuBinary binary() {
        return binary;
    }

    public MachineSpec spec() {
        return spec;
    }

    public RunDirectory runDirectory() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    /** From process start to QMP capabilities negotiated. */
    public Duration startupTime() {
        return startupTime;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The vsock back end beside this QEMU, when the machine has one. */
    public Optional<VsockBackend> vsockBackend() {
        return vsock;
    }

    /** The virtio-rtc back end beside this QEMU, when its virtio-rtc device is one. */
    public Optional<RtcBackend> rtcBackend() {
        return rtc;
    }

    /** The run state QEMU reports ({@code running}, {@code paused}, {@code postmigrate}, {@code inmigrate}...). */
    public String runState() {
        return qmp.execute("query-status").path("status").asText();
    }

    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    public Path stderrLog() {
        return dir.resolve("qemu.stderr");
    }

    /** The last {@code lines} lines of the guest's serial console. */
    public String consoleTail(int lines) {
        return ConsoleLog.tail(consoleLog(), lines);
    }

    /** Keep the run directory (logs, sockets, dumps) after close: the evidence of a failure. */
    public void keepEvidence() {
        dir.keep();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive() && qmp.isConnected()) {
                qmp.execute("quit", Map.of(), Duration.ofSeconds(2));
            }
        } catch (RuntimeException e) {
            // Already gone or not answering: killed below.
        } finally {
            qmp.close();
            if (!waitQuietly(process, QUIT_GRACE)) {
                process.destroyForcibly();
                waitQuietly(process, Duration.ofSeconds(5));
            }
            vsock.ifPresent(VsockBackend::close);
            rtc.ifPresent(RtcBackend::close);
            dir.delete();
        }
    }

    private static boolean waitQuietly(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "QemuVm[pid=" + process.pid() + ", " + spec.machineType() + ", " + dir + "]";
    }
}
