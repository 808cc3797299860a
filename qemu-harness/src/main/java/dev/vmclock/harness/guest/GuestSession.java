package dev.vmclock.harness.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.Machine;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.KernelBoot;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A booted Linux guest with the agent answering: the guest's own view of VMClock. The session follows
 * its {@link Machine}: after a live migration or a restore from file it reconnects to the agent in
 * whichever QEMU now runs the guest; the guest itself is never rebooted.
 */
public final class GuestSession implements AutoCloseable {

    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(40);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /**
     * The image's command line plus two boot-time savings measured under TCG: no speculative-execution
     * mitigations (about 1 s) and no loading of the distribution's X.509 certificate list (0.5 s; modules
     * then load unverified, which taints the kernel and changes nothing the suite observes). And
     * {@code tsc=reliable}: under TCG the kernel's clocksource watchdog, seeing the TSC and HPET disagree
     * after the events the suite drives, marks the TSC unstable within a run and moves to the HPET (seen
     * here); ptp_vmclock then refuses every read (check_tsc_unstable), whatever the device publishes.
     */
    public static final String KERNEL_CMDLINE = GuestImage.DEFAULT_KERNEL_CMDLINE
            + " mitigations=off initcall_blacklist=load_system_certificate_list tsc=reliable";

    private final Machine machine;
    private AgentClient client;
    /** Request ids are unique for the session, across reconnections, so a late reply is never mistaken. */
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private long connectedPid;
    private Duration bootTime = Duration.ZERO;

    private GuestSession(Machine machine) {
        this.machine = machine;
    }

    /** Boots {@code image} on a machine like {@code template} and waits for the agent. */
    public static GuestSession boot(QemuBinary qemu, MachineSpec template, GuestImage image) {
        return boot(qemu, template, image, BOOT_TIMEOUT);
    }

    /**
     * Boots and checks that the guest kernel loaded {@code ptp_vmclock}: a guest without the driver
     * cannot observe anything, so that is a bad image, not a conformance result. A machine without the
     * device boots fine (the suite reports what the guest then sees).
     */
    public static GuestSession boot(QemuBinary qemu, MachineSpec template, GuestImage image, Duration timeout) {
        return boot(qemu, template, image, timeout, null);
    }

    /**
     * As {@link #boot(QemuBinary, MachineSpec, GuestImage, Duration)}, but QEMU starts paused and
     * {@code beforeFirstInstruction} runs before the guest does: to present a page the guest's driver
     * will find at probe time (the hypervisor's side, e.g. a reference clock).
     */
    public static GuestSession boot(QemuBinary qemu, MachineSpec template, GuestImage image, Duration timeout,
                                    java.util.function.Consumer<Machine> beforeFirstInstruction) {
        MachineSpec spec = template.toBuilder()
                .kernelBoot(new KernelBoot(image.kernel(), image.initramfs(), kernelCmdline(template)))
                .agentPort(true).startPaused(beforeFirstInstruction != null).build();
        long t0 = System.nanoTime();
        Machine machine = Machine.start(qemu, spec);
        try {
            if (beforeFirstInstruction != null) {
                beforeFirstInstruction.accept(machine);
                machine.qmp().execute("cont");
            }
            GuestSession s = attach(machine, timeout, t0);
            JsonNode v = s.version();
            if (!v.path("driver_loaded").asBoolean()) {
                String initError = s.initError().orElse("");
                throw new HarnessException(ExitCode.GUEST_IMAGE, "guest kernel " + v.path("kernel").asText()
                        + " did not load ptp_vmclock (" + initError.strip() + "): use Linux >= 6.13 with the driver, or "
                        + "the image guest-images builds (guest console: " + s.evidence() + ")");
            }
            return s;
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
    static String kernelCmdline(MachineSpec spec) {
        if (spec.machineType().startsWith("microvm") && spec.accelerator() == Accelerator.TCG) {
            return KERNEL_CMDLINE + " tsc_early_khz=" + hostTscKhz();
        }
        return KERNEL_CMDLINE;
    }

    /** The host's nominal CPU frequency from /proc/cpuinfo ("cpu MHz"), in kHz. */
    private static long hostTscKhz() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> Math.round(Double.parseDouble(l.substring(l.indexOf(':') + 1).strip()) * 1000))
                    .orElse(1_000_000L);
        } catch (java.io.IOException | NumberFormatException e) {
            return 1_000_000L;
        }
    }

    /** A session on a machine whose guest is already running (a restored sibling, for instance). */
    public static GuestSession attach(Machine machine, Duration timeout) {
        return attach(machine, timeout, System.nanoTime());
    }

    private static GuestSession attach(Machine machine, Duration timeout, long t0) {
        GuestSession s = new GuestSession(machine);
        s.awaitAgent(timeout);
        s.bootTime = Duration.ofNanos(System.nanoTime() - t0);
        return s;
    }

    public Machine machine() {
        return machine;
    }

    /** From QEMU start to the agent's first answer. */
    public Duration bootTime() {
        return bootTime;
    }

    // ---------------------------------------------------------------- the agent's commands

    /** Any agent command with its raw JSON reply (for fields the typed methods do not carry). */
    public JsonNode command(String cmd, Map<String, ?> args) {
        return call(cmd, args);
    }

    /** pread() of {@code length} bytes at {@code offset} of /dev/vmclock0; the raw bytes returned. */
    public byte[] readAt(long offset, long length) {
        JsonNode r = call("read", Map.of("offset", offset, "length", length));
        return HexFormat.of().parseHex(r.path("bytes").asText());
    }

    public JsonNode ping() {
        return call("ping", Map.of());
    }

    /** read() of /dev/vmclock0 (the driver applies the seq_count protocol). */
    public GuestPageRead read() {
        JsonNode r = call("read", Map.of());
        return new GuestPageRead(page(r), 0, null, null);
    }

    /** A read-only mmap of /dev/vmclock0, copied under the seq_count protocol; also tries a writable mapping. */
    public GuestPageRead mmap() {
        JsonNode r = call("mmap", Map.of());
        return new GuestPageRead(page(r), r.path("retries").asInt(), r.path("writable_mapping_refused").asBoolean(),
                r.path("writable_errno").asText(null));
    }

    public PollResult poll(Duration timeout) {
        return pollResult(call("poll", Map.of("timeout_ms", timeout.toMillis()), CALL_TIMEOUT.plus(timeout)));
    }

    public GuestAcpi acpi() {
        JsonNode r = call("acpi", Map.of());
        if (!r.path("present").asBoolean(true) || r.path("hid").isMissingNode()) {
            return new GuestAcpi(false, null, null, null, null, null, null, List.of());
        }
        JsonNode io = r.path("iomem");
        GuestAcpi.Range iomem = io.isObject() && io.has("start")
                ? new GuestAcpi.Range(hex(io.path("start")), hex(io.path("end")), io.path("name").asText()) : null;
        List<GuestAcpi.MemmapEntry> e820 = new ArrayList<>();
        r.path("e820").forEach(e -> e820.add(new GuestAcpi.MemmapEntry(hex(e.path("start")), hex(e.path("end")),
                e.path("type").asText())));
        return new GuestAcpi(true, r.path("path").asText(null), r.path("hid").asText(null),
                r.path("modalias").asText(null), r.path("status").isNumber() ? r.path("status").asInt() : null,
                r.path("driver").asText(null), iomem, e820);
    }

    public GuestClocks clocks() {
        JsonNode r = call("clocks", Map.of());
        List<GuestClocks.CpuTsc> tsc = new ArrayList<>();
        r.path("tsc").forEach(t -> tsc.add(new GuestClocks.CpuTsc(t.path("cpu").asInt(), t.path("tsc").asLong(),
                t.path("monotonic_ns").asLong())));
        return new GuestClocks(r.path("monotonic_ns").asLong(), r.path("realtime_ns").asLong(),
                r.path("boottime_ns").asLong(), tsc, r.path("clocksource").asText(""));
    }

    /** PTP clock names registered in the guest ({@code /sys/class/ptp/ptp*}/clock_name). */
    public List<String> ptpClocks() {
        List<String> names = new ArrayList<>();
        call("ptp", Map.of()).path("clocks").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    /** Reads the vmclock PTP clock three ways (or says it is absent); a method the driver refuses carries its errno. */
    public PtpReading ptpRead() {
        JsonNode r = call("ptp_read", Map.of());
        if (!r.path("present").asBoolean()) {
            return new PtpReading(false, null, null, null, null, null);
        }
        return new PtpReading(true, r.path("dev").asText(), r.path("name").asText(), method("gettime", r),
                method("extended", r), method("precise", r));
    }

    private static PtpReading.Method method(String name, JsonNode reply) {
        JsonNode m = reply.path(name);
        boolean ok = m.path("ok").asBoolean();
        long sys = name.equals("extended") ? m.path("sys_pre_ns").asLong() : m.path("sys_realtime_ns").asLong();
        return new PtpReading.Method(name, ok ? java.util.Optional.empty() : java.util.Optional.of(m.path("errno").asText("?")),
                m.path("ptp_ns").asLong(), sys, m.path("sys_monoraw_ns").asLong(), m.path("tsc_pre").asLong(),
                m.path("tsc_post").asLong(), m.path("realtime_pre_ns").asLong(), m.path("realtime_post_ns").asLong(),
                m.path("monoraw_pre_ns").asLong(), m.path("monoraw_post_ns").asLong());
    }

    /** The guest kernel's ACPI event counters (SCIs, GPEs). */
    public AcpiEventCounts acpiEvents() {
        JsonNode r = call("acpi_events", Map.of());
        Map<String, Long> counts = new java.util.TreeMap<>();
        r.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
        r.path("irqs").fields().forEachRemaining(e -> counts.put("irq " + e.getKey(), e.getValue().asLong()));
        return new AcpiEventCounts(r.path("present").asBoolean(), counts);
    }

    /**
     * Starts a poll() in the guest and returns at once, so that an event can happen while the guest
     * waits: the reply is collected by {@link PendingPoll#await()}, from whichever QEMU then runs the guest.
     */
    public PendingPoll startPoll(Duration timeout) {
        long id = ids.incrementAndGet();
        try {
            client().send(id, "poll", Map.of("timeout_ms", timeout.toMillis(), "read_first", false));
        } catch (IOException e) {
            disconnect();
            throw new AgentException("cannot send 'poll' to the agent: " + e.getMessage(), e);
        }
        return new PendingPoll(id, timeout);
    }

    /** A poll() running in the guest. */
    public final class PendingPoll {
        private final long id;
        private final Duration timeout;

        private PendingPoll(long id, Duration timeout) {
            this.id = id;
            this.timeout = timeout;
        }

        public PollResult await() {
            long deadline = System.nanoTime() + CALL_TIMEOUT.plus(timeout).toNanos();
            while (true) {
                try {
                    JsonNode r = client().await(id, Duration.ofMillis(200));
                    if (r != null) {
                        if (!r.path("ok").asBoolean()) {
                            throw new AgentException("agent refused 'poll': " + r.path("error").asText());
                        }
                        return pollResult(r);
                    }
                } catch (IOException e) {
                    disconnect(); // the QEMU we listened to has gone; the reply comes through the next one
                }
                if (System.nanoTime() > deadline) {
                    throw new AgentException("no reply to 'poll' within " + CALL_TIMEOUT.plus(timeout).toMillis()
                            + " ms (guest console: " + evidence() + ")");
                }
            }
        }
    }

    private static PollResult pollResult(JsonNode r) {
        List<String> revents = new ArrayList<>();
        r.path("revents").forEach(n -> revents.add(n.asText()));
        return new PollResult(revents, r.path("timed_out").asBoolean(), r.path("elapsed_ns").asLong(),
                r.path("seq_count").asLong(-1), r.path("marker_after").asLong(-1));
    }

    public JsonNode version() {
        return call("version", Map.of());
    }

    public StressResult stress(long iterations) {
        JsonNode r = call("stress", Map.of("iterations", iterations));
        return new StressResult(r.path("iterations").asLong(), r.path("retries").asLong(), r.path("torn").asLong(),
                r.path("elapsed_ns").asLong());
    }

    // ---------------------------------------------------------------- plumbing

    private static VmclockPage page(JsonNode r) {
        return VmclockPage.decode(HexFormat.of().parseHex(r.path("bytes").asText()));
    }

    private static long hex(JsonNode n) {
        String s = n.asText();
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : n.asLong();
    }

    private JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, CALL_TIMEOUT);
    }

    private JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        JsonNode r;
        if (client == null || connectedPid != machine.vm().pid()) {
            // A new connection (the machine moved, or the last one broke): the agent's first reply on it can
            // be lost while the guest still sees the port closed, so make sure a ping gets through first.
            disconnect();
            awaitAgent(CALL_TIMEOUT);
        }
        try {
            r = client().call(ids.incrementAndGet(), cmd, args, timeout);
        } catch (IOException e) {
            disconnect();
            throw new AgentException("agent connection failed during '" + cmd + "': " + e.getMessage()
                    + " (guest console: " + evidence() + ")", e);
        }
        if (r == null) {
            throw new AgentException("agent did not answer '" + cmd + "' within " + timeout.toMillis()
                    + " ms (guest console: " + evidence() + ")");
        }
        if (!r.path("ok").asBoolean()) {
            throw new AgentException("agent refused '" + cmd + "': " + r.path("error").asText());
        }
        return r;
    }

    /** The client for the QEMU that runs the guest now; reconnects after the machine moved. */
    private AgentClient client() throws IOException {
        if (client == null || connectedPid != machine.vm().pid()) {
            disconnect();
            client = AgentClient.connect(machine.vm().runDirectory().resolve("agent.sock"));
            connectedPid = machine.vm().pid();
        }
        return client;
    }

    private void disconnect() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private void awaitAgent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!machine.vm().isAlive()) {
                throw new HarnessException(ExitCode.GUEST_IMAGE, "QEMU exited while the guest booted (exit "
                        + "status in " + machine.vm().stderrLog() + "; guest console: " + evidence() + ")");
            }
            try {
                JsonNode r = client().call(ids.incrementAndGet(), "ping", Map.of(), Duration.ofMillis(250));
                if (r != null && r.path("ok").asBoolean()) {
                    return;
                }
            } catch (IOException e) {
                last = e.getMessage();
                disconnect();
                sleep();
            }
        }
        String initError = initError().orElse(null);
        String cause = initError != null ? "the guest's init failed: " + initError.strip()
                : "the in-guest agent did not answer within " + timeout.toSeconds() + " s (" + last + ")";
        throw new HarnessException(ExitCode.GUEST_IMAGE, cause + "; is the kernel >= 6.13 with ptp_vmclock and the "
                + "initramfs the one guest-images builds? (guest console: " + evidence() + ")");
    }

    /** The first error line /init printed on the console, if any. */
    private java.util.Optional<String> initError() {
        return machine.vm().consoleTail(200).lines()
                .filter(l -> l.contains(GuestImage.INIT_MARKER) && l.contains("ERROR")).findFirst();
    }

    /** The console log, kept with the rest of the run directory as evidence. */
    private String evidence() {
        machine.vm().keepEvidence();
        machine.home().keep();
        return machine.vm().consoleLog().toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted", e);
        }
    }

    @Override
    public void close() {
        disconnect();
        machine.close();
    }
}
