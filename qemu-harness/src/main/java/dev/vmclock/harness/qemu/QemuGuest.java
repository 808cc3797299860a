package dev.vmclock.harness.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.harness.guest.AcpiEventCounts;
import dev.vmclock.harness.guest.AgentClient;
import dev.vmclock.harness.guest.AgentEndpoint;
import dev.vmclock.harness.guest.AgentVersion;
import dev.vmclock.harness.guest.GuestAcpi;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.guest.GuestClocks;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.Waits;
import dev.vmclock.harness.guest.HybridVsockEndpoint;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.guest.PollResult;
import dev.vmclock.harness.guest.PtpClock;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.guest.PtpSeries;
import dev.vmclock.harness.guest.RtcAlarmRun;
import dev.vmclock.harness.guest.RtcDevice;
import dev.vmclock.harness.guest.RtcRebind;
import dev.vmclock.harness.guest.RtcWakeAlarm;
import dev.vmclock.harness.guest.StressResult;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Linux guest booted by QEMU with the suite's agent answering: the boot half (kernel command line, machine,
 * drivers the devices need, the clock-rate check) and the {@link Machine} that carries it, with the agent half (a
 * VMM-neutral {@link GuestSession}) one call away and delegated to.
 */
public final class QemuGuest implements GuestAgent, AutoCloseable {


    /** Boots {@code image} on a machine like {@code template} and waits for the agent. */
    public static QemuGuest boot(QemuBinary qemu, MachineSpec template, GuestImage image) {
        return boot(qemu, template, image, GuestSession.BOOT_TIMEOUT);
    }

    /**
     * Boots and checks that the guest has the drivers the machine's devices need (see
     * {@link GuestSession#requireDrivers}): a guest that lacks them cannot observe anything, so that is a bad image, not a
     * conformance result.
     */
    public static QemuGuest boot(QemuBinary qemu, MachineSpec template, GuestImage image, Duration timeout) {
        return boot(qemu, template, image, timeout, null);
    }

    /**
     * As {@link #boot(QemuBinary, MachineSpec, GuestImage, Duration)}, but QEMU starts paused and
     * {@code beforeFirstInstruction} runs before the guest does: to present a page the guest's driver
     * will find at probe time (the hypervisor's side, e.g. a reference clock).
     */
    public static QemuGuest boot(QemuBinary qemu, MachineSpec template, GuestImage image, Duration timeout,
                                    java.util.function.Consumer<Machine> beforeFirstInstruction) {
        // With a vsock back end the machine has no virtio-serial port: the agent finds vsock by itself.
        MachineSpec spec = template.toBuilder()
                .kernelBoot(new KernelBoot(image.kernel(), image.initramfs(), kernelCmdline(template)))
                .agentPort(template.vsockBackend().isEmpty()).startPaused(beforeFirstInstruction != null).build();
        long t0 = System.nanoTime();
        Machine machine = Machine.start(qemu, spec);
        try {
            if (beforeFirstInstruction != null) {
                beforeFirstInstruction.accept(machine);
                machine.qmp().execute("cont");
            }
            if (machine.vm().vsockBackend().isPresent()) {
                awaitVsockListener(machine, timeout, t0);
            }
            GuestSession s = attachAgent(machine, timeout, t0);
            s.requireDrivers(spec.devices());
            s.requireClockRate();
            return new QemuGuest(machine, s);
        } catch (HarnessException e) {
            machine.vm().keepEvidence();
            machine.home().keep();
            // Judged before close: closing kills the back end.
            HarnessException failure = machine.vm().vsockBackend().map(b -> vsockFailure(b, machine, e)).orElse(e);
            machine.close();
            throw failure;
        } catch (RuntimeException e) {
            machine.vm().keepEvidence();
            machine.home().keep();
            machine.close();
            throw e;
        }
    }

    /**
     * The kernel arguments for this machine. microvm under TCG: Linux cannot calibrate the TSC there (no
     * usable PIT or HPET; it hangs in "Unable to calibrate against PIT"), so it is told the frequency:
     * TCG's TSC counts at the host's rate.
     */
    public static String kernelCmdline(MachineSpec spec) {
        if (spec.machineType().startsWith("microvm") && spec.accelerator() == Accelerator.TCG) {
            return GuestSession.KERNEL_CMDLINE + " tsc_early_khz=" + hostTscKhz();
        }
        return GuestSession.KERNEL_CMDLINE;
    }

    /** The host's nominal CPU frequency from /proc/cpuinfo ("cpu MHz"), in kHz. */
    public static long hostTscKhz() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> Math.round(Double.parseDouble(l.substring(l.indexOf(':') + 1).strip()) * 1000))
                    .orElse(1_000_000L);
        } catch (java.io.IOException | NumberFormatException e) {
            return 1_000_000L;
        }
    }

    private final Machine machine;
    private final GuestSession session;

    private QemuGuest(Machine machine, GuestSession session) {
        this.machine = machine;
        this.session = session;
    }

    /** A session on a machine whose guest is already running (a restored sibling, for instance). */
    public static QemuGuest attach(Machine machine, Duration timeout) {
        return new QemuGuest(machine, attachAgent(machine, timeout, System.nanoTime()));
    }

    /**
     * At boot over hybrid vsock the first CONNECT waits for the agent's console line saying it listens on vsock: a
     * back end queues a CONNECT sent before the guest's vsock driver is up and delivers it later (Firecracker documents
     * this for its own), and one CI run saw the agent listening while no handshake was answered for the whole boot.
     * Gives up silently at the deadline or when QEMU has gone: the session then says what failed.
     */
    private static void awaitVsockListener(Machine machine, Duration timeout, long t0) {
        Duration left = timeout.minusNanos(System.nanoTime() - t0);
        if (!left.isNegative()) {
            Waits.poll(left, Duration.ofMillis(20), () -> !machine.vm().isAlive()
                    || machine.vm().consoleTail(200).lines().anyMatch(l -> l.contains(GuestImage.AGENT_READY_MARKER)
                    && l.contains("port=vsock:")), done -> done);
        }
    }

    /** The agent through the machine's virtio-serial port, or through its vsock back end's hybrid socket. */
    private static GuestSession attachAgent(Machine machine, Duration timeout, long t0) {
        AgentEndpoint e = new MachineEndpoint(machine);
        Optional<VsockBackend> vsock = machine.vm().vsockBackend();
        return GuestSession.attach(vsock.<AgentEndpoint>map(b -> new HybridVsockEndpoint(b.hybridSocket(), e)).orElse(e),
                timeout, t0);
    }

    /**
     * A boot over vsock that failed: a back end that exited is its own cause (exit code 8); an agent that started
     * but never answered on vsock says so and what the guest needs. Other failures stay as they were.
     */
    private static HarnessException vsockFailure(VsockBackend b, Machine machine, HarnessException e) {
        if (!b.isAlive()) {
            return new HarnessException(ExitCode.VSOCK_BACKEND, "the vsock back end " + b.binary().getFileName() + " "
                    + b.exitDescription() + " while the guest booted; the agent cannot be reached without it", e);
        }
        // The agent announced itself on the console, so the boot did not hang (not worth a retry): vsock is what failed.
        String console = machine.vm().consoleTail(200);
        if (e.exitCode() == ExitCode.GUEST_IMAGE && console.contains(GuestImage.AGENT_READY_MARKER)) {
            String init = console.lines().filter(l -> l.contains(GuestImage.INIT_MARKER) && l.contains("ERROR"))
                    .findFirst().map(l -> " (" + l.strip() + ")").orElse("");
            return new HarnessException(ExitCode.GUEST_IMAGE, "the guest's agent started but never answered on vsock port "
                    + HybridVsockEndpoint.AGENT_PORT + init + "; the guest needs the vsock modules and agent >= 1.4.0 (the"
                    + " image guest-images builds), or use --agent-transport virtio-serial (guest console: "
                    + machine.vm().consoleLog() + ")", e);
        }
        return e;
    }

    public Machine machine() {
        return machine;
    }

    /** The agent half, VMM-neutral: what a target hands the suite. */
    public GuestSession session() {
        return session;
    }

    @Override
    public void close() {
        session.close(); // closes the machine through its endpoint
    }

    /**
     * QEMU's agent endpoint: the virtio-serial port's unix socket in whichever QEMU runs the guest now. With a vsock
     * back end, the lifecycle half of a {@link HybridVsockEndpoint} (the back end is part of the machine: its exit
     * is the machine gone).
     */
    private record MachineEndpoint(Machine machine) implements AgentEndpoint {
        @Override
        public long generation() {
            return machine.vm().pid();
        }

        @Override
        public AgentClient connect() throws IOException {
            return AgentClient.connect(machine.vm().runDirectory().resolve("agent.sock"));
        }

        @Override
        public Optional<String> gone() {
            if (!machine.vm().isAlive()) {
                return Optional.of("QEMU exited (exit status in " + machine.vm().stderrLog() + ")");
            }
            return machine.vm().vsockBackend().filter(b -> !b.isAlive())
                    .map(b -> "the vsock back end " + b.binary().getFileName() + " " + b.exitDescription());
        }

        @Override
        public String consoleTail(int lines) {
            return machine.vm().consoleTail(lines);
        }

        @Override
        public String keepEvidence() {
            machine.vm().keepEvidence();
            machine.home().keep();
            return machine.vm().consoleLog().toString();
        }

        @Override
        public void close() {
            machine.close();
        }
    }

    // ---------------------------------------------------------------- the agent, by delegation

    @Override public Duration bootTime() { return session.bootTime(); }
    @Override public JsonNode command(String cmd, Map<String, ?> args) { return session.command(cmd, args); }
    @Override public byte[] readAt(long offset, long length) { return session.readAt(offset, length); }
    @Override public JsonNode ping() { return session.ping(); }
    @Override public GuestPageRead read() { return session.read(); }
    @Override public GuestPageRead mmap() { return session.mmap(); }
    @Override public PollResult poll(Duration timeout) { return session.poll(timeout); }
    @Override public PendingPoll startPoll(Duration timeout) { return session.startPoll(timeout); }
    @Override public GuestAcpi acpi() { return session.acpi(); }
    @Override public GuestClocks clocks() { return session.clocks(); }
    @Override public List<PtpClock> ptpClockList() { return session.ptpClockList(); }
    @Override public PtpReading ptpRead() { return session.ptpRead(); }
    @Override public PtpReading ptpRead(PtpClock clock) { return session.ptpRead(clock); }
    @Override public PtpReading ptpRead(ClockType type) { return session.ptpRead(type); }
    @Override public Optional<PtpSeries> ptpSeries(PtpClock clock, int count) { return session.ptpSeries(clock, count); }
    @Override public List<RtcDevice> rtcDevices() { return session.rtcDevices(); }
    @Override public RtcDevice rtcRead(String dev) { return session.rtcRead(dev); }
    @Override public RtcAlarmRun rtcAlarm(String dev, int aheadSeconds, Duration wait) {
        return session.rtcAlarm(dev, aheadSeconds, wait);
    }
    @Override public RtcWakeAlarm rtcWakeAlarm(String dev, java.util.OptionalLong setEpochSeconds, boolean enabled,
                                               boolean aieOff) {
        return session.rtcWakeAlarm(dev, setEpochSeconds, enabled, aieOff);
    }
    @Override public RtcRebind rtcRebind(String dev) { return session.rtcRebind(dev); }
    @Override public AcpiEventCounts acpiEvents() { return session.acpiEvents(); }
    @Override public Probe probe(int clockSamples) { return session.probe(clockSamples); }
    @Override public AgentVersion version() { return session.version(); }
    @Override public StressResult stress(long iterations) { return session.stress(iterations); }
    @Override public StressResult stress(long iterations, int length) { return session.stress(iterations, length); }
}
