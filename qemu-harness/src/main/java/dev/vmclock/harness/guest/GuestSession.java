package dev.vmclock.harness.guest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.images.GuestImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A booted Linux guest with the agent answering, over whatever {@link AgentEndpoint} its hypervisor offers: the
 * guest's own view of VMClock and of virtio-rtc (the PTP clocks and RTC devices its drivers register). The session
 * follows the machine: after a live migration or a restore it reconnects to the agent in whichever process now
 * runs the guest; the guest itself is never rebooted. Booting is the hypervisor's business (QEMU: QemuGuest).
 */
public final class GuestSession implements GuestAgent, AutoCloseable {

    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(40);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /**
     * The guest kernel's command line, whatever boots it: the image's line plus two boot-time savings measured under TCG: no speculative-execution
     * mitigations (about 1 s) and no loading of the distribution's X.509 certificate list (0.5 s; modules
     * then load unverified, which taints the kernel and changes nothing the suite observes). And
     * {@code tsc=reliable}: under TCG the kernel's clocksource watchdog, seeing the TSC and HPET disagree
     * after the events the suite drives, marks the TSC unstable within a run and moves to the HPET (seen
     * here); ptp_vmclock then refuses every read (check_tsc_unstable), whatever the device publishes.
     * {@code no_timer_check}: on a loaded host the kernel's IO-APIC timer check can miss the emulated timer's
     * ticks under TCG and panic ("IO-APIC + timer doesn't work", seen at load 18); it proves nothing here.
     * And no crypto self-tests, audit or soft-lockup watchdog: about 0.5 s of a 4.9 s boot (mean of 7 boots each,
     * interleaved, to the init's last line), none of them part of what the suite observes.
     */
    public static final String KERNEL_CMDLINE = GuestImage.DEFAULT_KERNEL_CMDLINE
            + " mitigations=off initcall_blacklist=load_system_certificate_list tsc=reliable no_timer_check"
            + " cryptomgr.notests audit=0 nowatchdog";
    private final AgentEndpoint endpoint;
    private AgentClient client;
    /** Request ids are unique for the session, across reconnections, so a late reply is never mistaken. */
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private long connectedPid;
    /** The agent answered "unknown command" to a probe: an image built before agent 1.3.0. */
    private volatile boolean olderAgent;
    private Duration bootTime = Duration.ZERO;

    private GuestSession(AgentEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * The guest drivers the machine's devices need. {@link Device#VMCLOCK}: ptp_vmclock loaded. Not
     * {@code /dev/vmclock0} itself: the driver refusing a broken page (wrong magic, no ACPI description) is
     * what the VMClock suite observes, not a bad image. {@link Device#VIRTIO_RTC}: the virtio_rtc driver (a
     * module of the image, or built into a user's kernel) bound to every virtio-rtc device. A machine without
     * a device requires nothing of its driver.
     */
    public void requireDrivers(java.util.Collection<Device> devices) {
        AgentVersion v = version();
        String console = "guest console: ";
        if (devices.contains(Device.VMCLOCK) && !v.driverLoaded()) {
            throw new HarnessException(ExitCode.GUEST_IMAGE, "guest kernel " + v.kernel() + " did not load ptp_vmclock ("
                    + initError().orElse("").strip() + "): use Linux >= 6.13 with the driver, or the image guest-images "
                    + "builds (" + console + evidence() + ")");
        }
        AgentVersion.VirtioRtcDriver rtc = v.virtioRtc();
        if (devices.contains(Device.VIRTIO_RTC) && rtc != null && rtc.driverRegistered() && rtc.devices() > rtc.bound()) {
            // The kernel has the driver and its probe refused the device: the device under test is what to look at
            // (e.g. a used length other than the response size fails the probe with -EINVAL), not the kernel.
            Optional<String> probe = endpoint.consoleTail(400).lines().filter(l -> l.contains("virtio_rtc")
                    && l.contains("probe") && l.contains("failed")).findFirst().map(String::strip);
            throw new HarnessException(ExitCode.HARNESS_ERROR, "Linux's virtio_rtc refused " + (rtc.devices() - rtc.bound())
                    + " of " + rtc.devices() + " virtio-rtc devices at probe" + probe.map(l -> " ('" + l + "')").orElse("")
                    + ": the device's answers to the driver's first requests (CFG, CLOCK_CAP) are what it cannot use; the"
                    + " guest-level checks cannot observe it (" + console + evidence() + ")");
        }
        if (devices.contains(Device.VIRTIO_RTC) && (rtc == null || rtc.devices() == 0 || rtc.bound() < rtc.devices())) {
            String why = rtc == null ? "the agent predates virtio-rtc (rebuild the image)"
                    : rtc.devices() == 0 ? "the guest sees no virtio-rtc device (virtio id 17) on its virtio bus"
                    : !rtc.driverRegistered() ? "the guest has no virtio_rtc driver ("
                            + initError().orElse("no virtio_rtc.ko in the initramfs").strip() + ")"
                    : "virtio_rtc did not bind " + (rtc.devices() - rtc.bound()) + " of " + rtc.devices() + " devices";
            throw new HarnessException(ExitCode.GUEST_IMAGE, "guest kernel " + v.kernel() + " cannot use virtio-rtc: " + why
                    + "; use a kernel with CONFIG_VIRTIO_RTC or the image guest-images builds with virtio_rtc.ko ("
                    + console + evidence() + ")");
        }
    }

    /** How far the guest's clock rate may be from the host's: gross mis-calibration, not a few ppm, is what it catches. */
    static final double CLOCK_RATE_TOLERANCE = 0.05;
    /** The host time over which the guest's clock rate is measured after boot. */
    static final Duration CLOCK_RATE_INTERVAL = Duration.ofMillis(250);

    /**
     * The guest's CLOCK_MONOTONIC must run at the host's rate. Under TCG the guest kernel calibrates its TSC against
     * the emulated PIT or HPET at boot; on a loaded host a descheduled vCPU spoils that short measurement, and
     * Linux keeps the bad early value when its later refinement differs by more than 1 %. Seen here in CI: a guest
     * whose clock ran 11.75 times too fast, so the driver's 100 ms read() timeout expired after 11 ms of host time
     * and a conformant device FAILed. Such a guest cannot judge anything timed: the boot is a harness failure
     * ({@link MiscalibratedClockException}, which a target may retry). Two readings of the guest's clock, each
     * bracketed by the host's, so the round trips widen the accepted interval instead of faking a rate.
     */
    public void requireClockRate() {
        long h0 = System.nanoTime();
        long g0 = clocks().monotonicNanos();
        long h1 = System.nanoTime();
        try {
            Thread.sleep(CLOCK_RATE_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "interrupted while measuring the guest's clock rate", e);
        }
        long h2 = System.nanoTime();
        long g1 = clocks().monotonicNanos();
        long h3 = System.nanoTime();
        long guest = g1 - g0;
        long shortest = h2 - h1; // the host time between the two readings lies in [shortest, longest]
        long longest = h3 - h0;
        if (guest < shortest * (1 - CLOCK_RATE_TOLERANCE) || guest > longest * (1 + CLOCK_RATE_TOLERANCE)) {
            throw new MiscalibratedClockException(String.format("the guest's CLOCK_MONOTONIC advanced %d us while the host's "
                    + "advanced %d..%d us (%.2f times the host's rate, %.0f %% allowed): its kernel mis-calibrated the TSC at "
                    + "boot, as TCG on a loaded host can make it (guest console: %s)", guest / 1000, shortest / 1000,
                    longest / 1000, 2.0 * guest / (shortest + longest), CLOCK_RATE_TOLERANCE * 100, evidence()));
        }
    }

    /**
     * Whether a failed boot says nothing about the device and is worth one more try: the agent never answered (a TCG
     * boot seen to hang before the kernel printed anything, on a loaded host), the hypervisor went while the guest
     * booted (QEMU 10.0's rare TCG assertion), or the guest mis-calibrated its clock.
     */
    public static boolean isTransientBootFailure(HarnessException e) {
        return e instanceof MiscalibratedClockException || e.getMessage() != null
                && (e.getMessage().contains("did not answer") || e.getMessage().contains("while the guest booted"));
    }

    /** A booted guest whose clock runs at the wrong rate (see {@link #requireClockRate}); booting again may cure it. */
    public static final class MiscalibratedClockException extends HarnessException {
        MiscalibratedClockException(String message) {
            super(ExitCode.HARNESS_ERROR, message);
        }
    }

    /** A session on a machine whose guest is already running (a restored sibling, for instance). */
    public static GuestSession attach(AgentEndpoint endpoint, Duration timeout) {
        return attach(endpoint, timeout, System.nanoTime());
    }

    /** As {@link #attach(AgentEndpoint, Duration)}, the boot time counted from {@code t0} ({@link System#nanoTime}). */
    public static GuestSession attach(AgentEndpoint endpoint, Duration timeout, long t0) {
        GuestSession s = new GuestSession(endpoint);
        s.awaitAgent(timeout);
        s.bootTime = Duration.ofNanos(System.nanoTime() - t0);
        return s;
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
        return HexFormat.of().parseHex(call("read", Map.of("offset", offset, "length", length)).path("bytes").asText());
    }

    public JsonNode ping() {
        return call("ping", Map.of());
    }

    /** read() of /dev/vmclock0 (the driver applies the seq_count protocol). */
    public GuestPageRead read() {
        return pageRead(call("read", Map.of(), AgentReplies.PageBytes.class));
    }

    private static GuestPageRead pageRead(AgentReplies.PageBytes r) {
        return new GuestPageRead(AgentReplies.page(r.bytes()), 0, null, null);
    }

    /** A read-only mmap of /dev/vmclock0, copied under the seq_count protocol; also tries a writable mapping. */
    public GuestPageRead mmap() {
        return call("mmap", Map.of(), AgentReplies.PageBytes.class).toRead();
    }

    public PollResult poll(Duration timeout) {
        return AgentReplies.map(call("poll", Map.of("timeout_ms", timeout.toMillis()), CALL_TIMEOUT.plus(timeout)),
                AgentReplies.Poll.class).toResult();
    }

    public GuestAcpi acpi() {
        return call("acpi", Map.of(), AgentReplies.Acpi.class).toAcpi();
    }

    public GuestClocks clocks() {
        return call("clocks", Map.of(), AgentReplies.Clocks.class).toClocks();
    }

    /** The PTP clocks registered in the guest ({@code /sys/class/ptp/ptp*}). */
    public List<PtpClock> ptpClockList() {
        List<PtpClock> clocks = call("ptp", Map.of(), AgentReplies.PtpList.class).clocks();
        return clocks == null ? List.of() : clocks;
    }


    /** Reads the vmclock PTP clock every way (or says it is absent); a method the driver refuses carries its errno. */
    public PtpReading ptpRead() {
        return ptpRead(Map.of("name", PtpClock.VMCLOCK_PREFIX));
    }

    /** Reads {@code clock} (as listed by {@link #ptpClockList()}) every way Linux offers. */
    public PtpReading ptpRead(PtpClock clock) {
        return ptpRead(Map.of("dev", clock.dev()));
    }

    /** Reads virtio_rtc's PTP clock of {@code type} every way (absent when the device offers no such clock). */
    public PtpReading ptpRead(ClockType type) {
        return ptpRead(Map.of("name", PtpClock.virtioPrefix(type.code())));
    }

    private PtpReading ptpRead(Map<String, ?> which) {
        return call("ptp_read", which, AgentReplies.PtpRead.class).toReading();
    }

    /** {@code count} back-to-back clock_gettime reads of {@code clock} in the guest; empty if the clock is gone. */
    public Optional<PtpSeries> ptpSeries(PtpClock clock, int count) {
        return call("ptp_series", Map.of("dev", clock.dev(), "count", count), AgentReplies.Series.class).toSeries();
    }

    /** The RTC class devices in the guest ({@code /sys/class/rtc/rtc*}), each read once with RTC_RD_TIME. */
    public List<RtcDevice> rtcDevices() {
        List<AgentReplies.Rtc> rtcs = call("rtc", Map.of(), AgentReplies.RtcList.class).rtcs();
        return rtcs == null ? List.of() : rtcs.stream().map(AgentReplies.Rtc::toDevice).toList();
    }

    /** One RTC_RD_TIME of the RTC class device {@code dev} ({@code rtcN}), bracketed by the guest's clocks. */
    public RtcDevice rtcRead(String dev) {
        return call("rtc_read", Map.of("dev", dev), AgentReplies.Rtc.class).toDevice();
    }

    /**
     * An alarm {@code aheadSeconds} after the next tick of {@code dev}, set through the RTC class and waited for at most
     * {@code wait} in the guest (see {@link RtcAlarmRun}); the call lasts up to two ticks more.
     */
    public RtcAlarmRun rtcAlarm(String dev, int aheadSeconds, Duration wait) {
        JsonNode r = call("rtc_alarm", Map.of("dev", dev, "ahead_s", aheadSeconds, "wait_ms", wait.toMillis()),
                CALL_TIMEOUT.plus(wait).plus(Duration.ofSeconds(aheadSeconds)));
        return AgentReplies.map(r, AgentReplies.AlarmRun.class).toRun();
    }

    /**
     * The RTC core's alarm of {@code dev} (RTC_WKALM_RD), after RTC_AIE_OFF when {@code aieOff}, and after RTC_WKALM_SET
     * of {@code setEpochSeconds} ({@code enabled} or not) when one is given.
     */
    public RtcWakeAlarm rtcWakeAlarm(String dev, java.util.OptionalLong setEpochSeconds, boolean enabled, boolean aieOff) {
        Map<String, Object> args = new java.util.LinkedHashMap<>(Map.of("dev", dev, "enabled", enabled, "aie_off", aieOff));
        setEpochSeconds.ifPresent(s -> args.put("epoch_s", s));
        return call("rtc_wkalm", args, AgentReplies.WakeAlarmReply.class).wkalm().toAlarm();
    }

    /** Unbinds virtio_rtc from the virtio device behind {@code dev} and binds it again (see {@link RtcRebind}). */
    public RtcRebind rtcRebind(String dev) {
        return call("rtc_rebind", Map.of("dev", dev), AgentReplies.Rebind.class).toRebind();
    }

    /** The guest kernel's ACPI event counters (SCIs, GPEs). */
    public AcpiEventCounts acpiEvents() {
        return call("acpi_events", Map.of(), AgentReplies.AcpiEvents.class).toCounts();
    }

    /**
     * What the guest sees at one moment: read() of the page (or why it failed), {@code clockSamples} readings of
     * its clocks and its ACPI event counters, in that order. One round trip from agent 1.3.0 on (a run's history
     * takes about a dozen such probes, once some 45 calls, 1.1 s under TCG); an older agent answers the three
     * commands one by one.
     */
    public Probe probe(int clockSamples) {
        if (!olderAgent) {
            try {
                return probeOf(call("probe", Map.of("clock_samples", clockSamples)));
            } catch (AgentException e) {
                if (!e.getMessage().contains("unknown command 'probe'")) {
                    throw e;
                }
                olderAgent = true;
            }
        }
        GuestPageRead read = null;
        AgentException readFailure = null;
        try {
            read = read();
        } catch (AgentException e) {
            readFailure = e;
        }
        List<GuestClocks> clocks = new ArrayList<>();
        for (int i = 0; i < clockSamples; i++) {
            clocks.add(clocks());
        }
        return new Probe(read, readFailure, List.copyOf(clocks), acpiEvents());
    }

    /** A {@code probe} reply: each part is the reply its own command would give. */
    private static Probe probeOf(JsonNode r) {
        GuestPageRead read = null;
        AgentException readFailure = null;
        try {
            read = pageRead(AgentReplies.map(accepted("read", r.path("read")), AgentReplies.PageBytes.class));
        } catch (AgentException e) {
            readFailure = e;
        }
        List<GuestClocks> clocks = new ArrayList<>();
        r.path("clocks").forEach(c -> clocks.add(AgentReplies.map(accepted("clocks", c), AgentReplies.Clocks.class).toClocks()));
        AcpiEventCounts acpi = AgentReplies.map(accepted("acpi_events", r.path("acpi_events")), AgentReplies.AcpiEvents.class)
                .toCounts();
        return new Probe(read, readFailure, List.copyOf(clocks), acpi);
    }

    /**
     * One {@link #probe}: the page the guest read, or the agent's refusal of the read() (its errno says why), and
     * the clocks and ACPI counters taken right after.
     */

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
    public final class PendingPoll implements GuestAgent.PendingPoll {
        private final long id;
        private final Duration timeout;

        private PendingPoll(long id, Duration timeout) {
            this.id = id;
            this.timeout = timeout;
        }

        public PollResult await() {
            Duration limit = CALL_TIMEOUT.plus(timeout);
            AtomicReference<JsonNode> reply = new AtomicReference<>();
            try {
                // Each try listens 200 ms; a broken connection means the guest moved to another QEMU, whose
                // socket the next try opens (the agent sends the reply there).
                Awaitility.await("reply to 'poll'").atMost(limit).pollInSameThread().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1)).until(() -> {
                            try {
                                reply.set(client().await(id, Duration.ofMillis(200)));
                            } catch (IOException e) {
                                disconnect();
                            }
                            return reply.get() != null;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AgentException("no reply to 'poll' within " + limit.toMillis() + " ms (guest console: "
                        + evidence() + ")");
            }
            JsonNode r = reply.get();
            if (!r.path("ok").asBoolean()) {
                throw new AgentException("agent refused 'poll': " + r.path("error").asText(),
                        r.hasNonNull("errno") ? r.get("errno").asText() : null);
            }
            return AgentReplies.map(r, AgentReplies.Poll.class).toResult();
        }
    }

    /** The kernel and what each time device's driver did in the guest. */
    public AgentVersion version() {
        return call("version", Map.of(), AgentVersion.class);
    }

    public StressResult stress(long iterations) {
        return call("stress", Map.of("iterations", iterations), AgentReplies.Stress.class).toResult();
    }

    /** The same loop copying only the first {@code length} bytes of the page (at least 16). */
    public StressResult stress(long iterations, int length) {
        return call("stress", Map.of("iterations", iterations, "len", length), AgentReplies.Stress.class).toResult();
    }

    // ---------------------------------------------------------------- plumbing

    private JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, CALL_TIMEOUT);
    }

    private <T> T call(String cmd, Map<String, ?> args, Class<T> reply) {
        return AgentReplies.map(call(cmd, args, CALL_TIMEOUT), reply);
    }

    private JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        JsonNode r;
        if (client == null || connectedPid != endpoint.generation()) {
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
        return accepted(cmd, r);
    }

    /** {@code r}, the agent's reply to {@code cmd}; an {@link AgentException} when the agent refused it. */
    private static JsonNode accepted(String cmd, JsonNode r) {
        if (!r.path("ok").asBoolean()) {
            throw new AgentException("agent refused '" + cmd + "': " + r.path("error").asText(),
                    r.hasNonNull("errno") ? r.get("errno").asText() : null);
        }
        return r;
    }

    /** The client for the QEMU that runs the guest now; reconnects after the machine moved. */
    private AgentClient client() throws IOException {
        if (client == null || connectedPid != endpoint.generation()) {
            disconnect();
            client = endpoint.connect();
            connectedPid = endpoint.generation();
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
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            Awaitility.await("the in-guest agent").atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20)).until(() -> pingOnce(last));
        } catch (ConditionTimeoutException e) {
            String initError = initError().orElse(null);
            String cause = initError != null ? "the guest's init failed: " + initError.strip()
                    : "the in-guest agent did not answer within " + timeout.toSeconds() + " s (" + last.get() + ")";
            throw new HarnessException(ExitCode.GUEST_IMAGE, cause + "; is the kernel >= 6.13 with ptp_vmclock and the "
                    + "initramfs the one guest-images builds? (guest console: " + evidence() + ")");
        }
    }

    /** One ping with a short wait; a QEMU that has gone is an error at once, not a timeout. */
    private boolean pingOnce(AtomicReference<String> last) {
        Optional<String> gone = endpoint.gone();
        if (gone.isPresent()) {
            throw new HarnessException(ExitCode.GUEST_IMAGE, gone.get() + " while the guest booted (guest console: "
                    + evidence() + ")");
        }
        try {
            JsonNode r = client().call(ids.incrementAndGet(), "ping", Map.of(), Duration.ofMillis(250));
            return r != null && r.path("ok").asBoolean();
        } catch (IOException e) {
            last.set(e.getMessage());
            disconnect();
            return false;
        }
    }

    /** The first error line /init printed on the console, if any. */
    private Optional<String> initError() {
        return endpoint.consoleTail(200).lines()
                .filter(l -> l.contains(GuestImage.INIT_MARKER) && l.contains("ERROR")).findFirst();
    }

    /** The console log, kept with the rest of the run directory as evidence. */
    private String evidence() {
        return endpoint.keepEvidence();
    }

    @Override
    public void close() {
        disconnect();
        endpoint.close();
    }
}
