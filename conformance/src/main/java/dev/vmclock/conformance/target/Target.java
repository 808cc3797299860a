package dev.vmclock.conformance.target;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.Machine;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.SeqCountStuckException;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.AcceleratorChoice;
import dev.vmclock.harness.qemu.AcceleratorProbe;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.PageOverride;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuHost;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The implementation under test, booted once and shared by every check that can share it: one Linux
 * guest (TCG unless KVM really works) whose page the host reads over QMP and the guest reads through
 * ptp_vmclock. Events are applied to it in place (the guest is never rebooted for a check); the page
 * right after boot is kept so that static rules are judged on what the device first presented.
 */
public final class Target implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private final TargetConfig config;
    private final QemuBinary qemu;
    private final GuestImage image;
    private final AcceleratorChoice accelerator;
    private final Path evidenceRoot;
    private final Object lock = new Object();
    private GuestSession guest;
    private HarnessException bootFailure;
    private boolean clockStale;
    private VmclockPage bootPage;
    private Evidence evidence;
    private long tornWrites;
    private String bootRetried;
    private Boolean deviceFound;
    private int tags;

    private Target(TargetConfig config, QemuBinary qemu, GuestImage image, AcceleratorChoice accelerator, Path evidenceRoot) {
        this.config = config;
        this.qemu = qemu;
        this.image = image;
        this.accelerator = accelerator;
        this.evidenceRoot = evidenceRoot;
    }

    public static Target create(TargetConfig config) {
        List<Path> ownFiles = new ArrayList<>();
        config.kernel().ifPresent(ownFiles::add);
        config.initrd().ifPresent(ownFiles::add);
        config.pageOverride().ifPresent(ownFiles::add);
        QemuHost host = config.container().<QemuHost>map(image -> QemuContainer.shared(image, ownFiles)).orElse(QemuHost.LOCAL);
        QemuBinary qemu = QemuBinary.locate(host, config.qemu().orElse(null)).requireVmclock();
        GuestImage image = config.kernel().isPresent()
                ? GuestImage.of(config.kernel().get(), config.initrd().orElseThrow(
                        () -> new IllegalArgumentException("vmclock.kernel needs vmclock.initrd")))
                : new GuestImageBuilder().ensureBuilt();
        Optional<Accelerator> forced = config.accel().equals("auto") ? Optional.empty()
                : Optional.of(Accelerator.parse(config.accel()));
        AcceleratorChoice accel = AcceleratorProbe.choose(qemu, forced, Optional.of(image.kernel()));
        Path evidence = config.evidenceDir().orElseGet(() -> {
            try {
                return Files.createTempDirectory("vmclock-evidence-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new Target(config, qemu, image, accel, evidence);
    }

    public TargetConfig config() {
        return config;
    }

    public QemuBinary qemu() {
        return qemu;
    }

    public AcceleratorChoice accelerator() {
        return accelerator;
    }

    public GuestImage image() {
        return image;
    }

    /** The machine every check runs on (without the guest kernel: {@link #guest()} adds it). */
    public MachineSpec spec() {
        MachineSpec.Builder b = MachineSpec.builder().machineType(config.machine())
                .accelerator(accelerator.accelerator()).vmclock(config.device()).cpus(2)
                // The qtest socket lets the suite play the hypervisor's writer (driver checks, faults); it needs TCG.
                .qtest(accelerator.accelerator() == Accelerator.TCG || config.fault().isPresent()
                        || config.clock().isPresent());
        config.pageOverride().ifPresent(p -> b.pageOverride(new PageOverride(p, 0xfeffb000L)));
        config.qemuArgs().forEach(b::extraArg);
        return b.build();
    }

    /** The shared guest, booted on first use. */
    public GuestSession guest() {
        synchronized (lock) {
            if (bootFailure != null) {
                // One failed boot answers for the whole run: every test that needs the guest is an ERROR
                // at once, instead of each one waiting out its own boot timeout.
                throw new HarnessException(bootFailure.exitCode(), "the guest did not boot earlier in this run: "
                        + bootFailure.getMessage(), bootFailure);
            }
            if (guest == null) {
                try {
                    guest = bootWithOneRetry();
                } catch (HarnessException e) {
                    bootFailure = e;
                    throw e;
                }
                if (config.clock().isPresent()) {
                    publishClock();
                }
                bootPage = observe();
                injectAfterBoot();
            }
            return guest;
        }
    }

    public Machine machine() {
        return guest().machine();
    }

    /** The page as the host saw it right after boot, before any event or injected fault. */
    public VmclockPage bootPage() {
        requireDevice();
        evidence.page("boot-page", bootPage);
        if (bootRetried != null) {
            evidence.note("the first boot hung and was retried: " + bootRetried);
        }
        return bootPage;
    }

    /** Page checks need a page: without any sign of a device they are NOT_APPLICABLE, the ACPI checks FAIL. */
    private void requireDevice() {
        guest();
        if (deviceFound == null) {
            deviceFound = bootPage.magicIsValid() || !acpiDevices().isEmpty();
        }
        if (!deviceFound) {
            throw NotApplicable.because("the target exposes no VMClock device: no ACPI device AMZNC10C and no VCLK "
                    + "page at QEMU's address " + guest.machine().pageLocation() + " (see VMC-ACPI-05, VMC-ACPI-06)");
        }
    }

    /** The page as the host sees it now, read under the seq_count protocol. */
    public VmclockPage page() {
        requireDevice();
        return readPageOrNotApplicable();
    }

    /** One copy of the page with no seq_count protocol: to see an odd seq_count as it is. */
    public VmclockPage rawPage() {
        requireDevice();
        VmclockPage p = guest.machine().hostReader().readRaw();
        afterHostRead();
        return p;
    }

    /** True when the shared machine has a qtest socket, so the suite can write the page as the hypervisor. */
    public boolean canWritePage() {
        return spec().qtest();
    }

    /** Consistent if possible; an inconsistent page is still evidence of what the device presented. */
    private VmclockPage observe() {
        try {
            return guest.machine().readPage().page();
        } catch (SeqCountStuckException e) {
            if (evidence != null) {
                evidence.note("no consistent read (" + e.getMessage() + "): raw page recorded");
            }
            return e.lastPage();
        } finally {
            afterHostRead();
        }
    }

    private VmclockPage readPageOrNotApplicable() {
        try {
            return guest.machine().readPage().page();
        } catch (SeqCountStuckException e) {
            throw NotApplicable.because("no consistent page can be read: seq_count stays odd (" + e.getMessage()
                    + "); see VMC-SEQ-06");
        } finally {
            afterHostRead();
        }
    }

    /** The page through the guest's read() of /dev/vmclock0. */
    public GuestPageRead guestRead() {
        return inGuest(() -> guest().read());
    }

    /** The page through the guest's mmap() of /dev/vmclock0. */
    public GuestPageRead guestMmap() {
        return inGuest(() -> guest().mmap());
    }

    /** Runs an agent call that needs /dev/vmclock0; without it the clause cannot be observed in the guest. */
    public <T> T inGuest(Supplier<T> call) {
        try {
            return call.get();
        } catch (AgentException e) {
            if (e.getMessage().contains("ENOENT") || e.getMessage().contains("No such file")) {
                throw NotApplicable.because("the guest has no /dev/vmclock0: ptp_vmclock did not bind to the device "
                        + "(see VMC-DRIVER-01)");
            }
            if (e.getMessage().contains("ETIMEDOUT")) {
                throw NotApplicable.because("the guest cannot read a consistent page: seq_count stays odd (see VMC-SEQ-06)");
            }
            throw e;
        }
    }

    /** Puts the target through {@code event}, reading the page right before and right after. */
    public Observation across(Event event) {
        if (event == Event.SYSTEM_RESET) {
            return acrossReset();
        }
        synchronized (lock) {
            requireDevice();
            Machine m = machine();
            VmclockPage before = observe();
            List<EventResult> steps = new ArrayList<>();
            switch (event) {
                case SNAPSHOT_SAVE -> steps.add(m.saveSnapshot(nextTag()));
                case SNAPSHOT_LOAD -> {
                    String tag = nextTag();
                    steps.add(m.saveSnapshot(tag));
                    steps.add(m.loadSnapshot(tag));
                }
                case LIVE_MIGRATION -> steps.add(m.liveMigrate(MigrationTransport.UNIX));
                case FILE_RESTORE -> {
                    Path file = m.newStateFile();
                    steps.add(m.saveToFile(file));
                    steps.add(m.restoreFromFile(file));
                }
                case PAUSE_RESUME -> {
                    steps.add(m.pause());
                    steps.add(m.resume());
                }
                default -> throw new IllegalArgumentException(event.name());
            }
            injectAfterEvent(event, before);
            // The guest's counter stood still (or went back) during the event: the reference clock is re-anchored
            // before the next test, not here, so this event's before/after shows only what the device did.
            clockStale = config.clock().isPresent();
            VmclockPage after = observe();
            return record(new Observation(event, before, after, steps));
        }
    }

    private Observation acrossReset() {
        requireDevice();
        try (Machine m = startFirmwareMachine()) {
            m.pageLocation(); // waits for the firmware: the page is located through its ACPI tables
            VmclockPage before = m.hostReader().readRaw();
            EventResult r = m.systemReset();
            VmclockPage after = m.hostReader().readRaw();
            return record(new Observation(Event.SYSTEM_RESET, before, after, List.of(r)));
        }
    }

    private Observation record(Observation o) {
        String name = o.event().name().toLowerCase();
        evidence.page(name + "-before", o.before());
        evidence.page(name + "-after", o.after());
        evidence.diff(o.event().name(), o.before(), o.after());
        o.steps().forEach(s -> evidence.qmp(s.toString(), s.qmp()));
        return o;
    }

    /** The AMZNC10C devices in the firmware's ACPI tables, read from guest memory by the host. */
    public List<dev.vmclock.harness.acpi.AcpiDevice> acpiDevices() {
        Machine m = machine();
        List<dev.vmclock.harness.acpi.AcpiDevice> devices = dev.vmclock.harness.page.PageLocator.vmclockDevices(
                new dev.vmclock.harness.memory.PmemsaveMemory(m.qmp(), m.vm().runDirectory().path()),
                java.time.Duration.ofSeconds(2));
        evidence.note("ACPI devices with _HID AMZNC10C: " + devices);
        return devices;
    }

    /** The firmware's ACPI tables, read from guest memory by the host; empty when there are none. */
    public Optional<dev.vmclock.harness.acpi.AcpiTables> acpiTables() {
        Machine m = machine();
        return dev.vmclock.harness.acpi.AcpiTables.read(
                new dev.vmclock.harness.memory.PmemsaveMemory(m.qmp(), m.vm().runDirectory().path()));
    }

    /**
     * Plays the hypervisor: one well-formed update of the page (the suite's own writes, for driver checks).
     * A persistent injected fault is re-applied afterwards, so no check heals it for the checks after it.
     */
    public VmclockPage updatePage(java.util.function.Consumer<byte[]> edit) {
        synchronized (lock) {
            VmclockPage written = machine().hypervisor().update(edit);
            injectAfterBoot();
            return written;
        }
    }

    /**
     * Plays the hypervisor for the length of one check: publishes the page {@code edit} makes of the
     * current one (a well-formed update), runs {@code during}, then publishes the previous content again
     * (every field but seq_count), so the checks after it see the page they would have seen. Both pages go
     * to the evidence. NOT_APPLICABLE when the suite cannot write the page on this target.
     */
    public <T> T withTemporaryPage(String why, java.util.function.Consumer<byte[]> edit, Supplier<T> during) {
        NotApplicable.unless(canWritePage(), "the suite cannot write the page here (needs the qtest socket, TCG)");
        synchronized (lock) {
            requireDevice();
            var hv = machine().hypervisor();
            byte[] saved = hv.read().raw().clone();
            VmclockPage temporary = hv.update(edit);
            evidence.page("temporary-page", temporary);
            evidence.note("temporary page published (" + why + ")");
            try {
                return during.get();
            } finally {
                VmclockPage restored = machine().hypervisor().update(p -> {
                    for (PageField f : PageField.values()) {
                        if (f != PageField.SEQ_COUNT) {
                            f.write(p, f.read(saved));
                        }
                    }
                });
                injectAfterBoot();
                evidence.page("restored-page", restored);
            }
        }
    }

    /** The guest's vmclock PTP clock, read three ways; NOT_APPLICABLE when the driver registered none. */
    public dev.vmclock.harness.guest.PtpReading ptpRead() {
        var r = inGuest(() -> guest().ptpRead());
        NotApplicable.unless(r.present(), "the guest has no vmclock PTP clock (ptp_vmclock registers one only for "
                + "the guest's counter with TAI, or UTC with TAI_OFFSET_VALID; see VMC-DRIVER-11)");
        evidence.note("PTP reading: " + r);
        return r;
    }

    /** Runs {@code during} while seq_count is held odd (an update that takes its time), then completes the update. */
    public void whileSeqCountOdd(Runnable during) {
        synchronized (lock) {
            machine().hypervisor().leaveSeqCountOdd();
            try {
                during.run();
            } finally {
                updatePage(p -> { });
            }
        }
    }

    /** A second, firmware-only machine of the same configuration (no guest OS); the caller closes it. */
    public Machine startFirmwareMachine() {
        return Machine.start(qemu, spec());
    }

    public Evidence evidence() {
        return evidence;
    }

    void beginTest(String name) {
        evidence = new Evidence(evidenceRoot.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
        synchronized (lock) {
            if (clockStale && guest != null) {
                clockStale = false;
                VmclockPage p = config.clock().get().reanchor(guest, guest.machine().hypervisor());
                evidence.note("reference clock re-anchored after the previous test's events: counter_value "
                        + p.counterValue() + ", seq_count " + p.seqCount());
            }
        }
    }

    /** Keeps the guest console with a failed test's evidence. */
    void endTest(boolean failed) {
        if (failed && guest != null) {
            evidence.text("console.txt", guest.machine().vm().consoleTail(200));
            guest.machine().transcripts().forEach(t -> evidence.qmp("full transcript", t.entries()));
        }
    }

    private String nextTag() {
        return "t" + (++tags);
    }

    // ------------------------------------------------------------------ run-time faults

    /**
     * Under TCG on a loaded host a boot has been seen to hang before the kernel printed anything. That
     * says nothing about the device, so such a boot is retried once (the first console is kept as
     * evidence); any other boot failure, or a second hang, is an ERROR.
     */
    private GuestSession bootWithOneRetry() {
        java.util.function.Consumer<Machine> beforeRun = config.clock().isPresent()
                ? m -> ReferenceClock.presentConstants(m.hypervisorAt(PageLocation.QEMU_DEFAULT)) : null;
        try {
            return GuestSession.boot(qemu, spec(), image, GuestSession.BOOT_TIMEOUT, beforeRun);
        } catch (dev.vmclock.harness.HarnessException e) {
            if (!e.getMessage().contains("did not answer")) {
                throw e;
            }
            bootRetried = e.getMessage();
            return GuestSession.boot(qemu, spec(), image, GuestSession.BOOT_TIMEOUT, beforeRun);
        }
    }

    private void publishClock() {
        try {
            config.clock().get().publish(guest, guest.machine().hypervisor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calibrating the reference clock", e);
        }
    }

    private void injectAfterBoot() {
        if (config.fault().orElse(null) == RuntimeFault.SEQ_COUNT_LEFT_ODD) {
            guest.machine().hypervisor().leaveSeqCountOdd();
        }
    }

    /**
     * FIELD_WITHOUT_SEQ_COUNT: the device changes a field behind the reader's back, between any two host
     * reads. Tied to host reads rather than to a timer so that the same checks see it on every run.
     */
    private void afterHostRead() {
        if (config.fault().orElse(null) == RuntimeFault.FIELD_WITHOUT_SEQ_COUNT && guest != null) {
            guest.machine().hypervisor().writeWithoutSeqCount(PageField.TIME_ESTERROR_NANOSEC, ++tornWrites);
        }
    }

    private void injectAfterEvent(Event event, VmclockPage before) {
        RuntimeFault fault = config.fault().orElse(null);
        if (fault == RuntimeFault.CONSTANT_REWRITTEN_AFTER_EVENT) {
            // Toggled at every event, so every event shows it whatever the order of the checks.
            long id = PageField.COUNTER_ID.read(guest.machine().hostReader().readRaw().raw());
            guest.machine().hypervisor().update(Map.of(PageField.COUNTER_ID, id ^ 1));
        } else if (fault == RuntimeFault.MARKER_ROLLED_BACK_AFTER_RESTORE
                && (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE)) {
            guest.machine().hypervisor().update(Map.of(PageField.DISRUPTION_MARKER, before.disruptionMarker()));
        } else if (fault == RuntimeFault.SEQ_COUNT_KEPT_ACROSS_UPDATE
                && (event == Event.SNAPSHOT_LOAD || event == Event.FILE_RESTORE || event == Event.LIVE_MIGRATION)) {
            guest.machine().hypervisor().writeWithoutSeqCount(PageField.SEQ_COUNT, before.seqCount());
        } else if (fault == RuntimeFault.MARKER_ON_WRONG_EVENTS) {
            long marker = event == Event.LIVE_MIGRATION ? before.disruptionMarker()
                    : event == Event.SNAPSHOT_SAVE || event == Event.PAUSE_RESUME ? before.disruptionMarker() + 1 : -1;
            if (marker >= 0) {
                guest.machine().hypervisor().update(Map.of(PageField.DISRUPTION_MARKER, marker));
            }
        } else if (fault == RuntimeFault.GENERATION_ON_EVERY_EVENT) {
            long generation = PageField.VM_GENERATION_COUNTER.read(guest.machine().hostReader().readRaw().raw());
            guest.machine().hypervisor().update(Map.of(PageField.VM_GENERATION_COUNTER, generation + 1));
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (guest != null) {
                guest.close();
            }
        }
    }

    @Override
    public String toString() {
        return qemu + " " + config.describe() + " accel=" + accelerator;
    }
}
