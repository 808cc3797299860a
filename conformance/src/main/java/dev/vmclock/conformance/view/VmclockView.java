package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.Evidence;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.HypervisorWriter;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.Device;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The VMClock device of a {@link VmTarget}: its page as the view's {@link PageSource} reads it (the host, under the
 * seq_count protocol; or, for a target without the host's view of guest memory, the guest through read() of
 * /dev/vmclock0), as the guest reads it through ptp_vmclock, and as the hypervisor writes it. Built only on the
 * target's primitives, so whatever a decorator changes in the target, this view sees. The page the device presented
 * right after boot is kept for the static rules. What only the host can see (a copy with no seq_count protocol,
 * seq_count alone, the ACPI tables, the page's address for the hypervisor's writer, clones and fresh machines) needs
 * {@link Capability#HOST_MEMORY} whatever the source.
 */
public final class VmclockView {

    private static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(10);

    private final VmTarget target;
    private final Object lock = new Object();
    private volatile PageLocation location;
    private final PageSource source;
    /** The page right after boot as the source saw it, or why not; null until read. */
    private PageSource.Sighting boot;
    private Boolean deviceFound;
    private Discovery discovery;
    private final Map<Event, Observation> shared = new EnumMap<>(Event.class);
    private final TargetHistory history;
    private RunHistory.Clones clones;
    private VmclockPage secondClone;

    /**
     * The view of {@code target}'s VMClock device, observing the page at each step of its {@code history} (so make it
     * before the history is driven) through the source the target allows ({@link PageSource#of}).
     */
    public VmclockView(VmTarget target, TargetHistory history) {
        this.target = target;
        this.history = history;
        this.source = PageSource.of(target, this::reader);
        history.observePages(new RunHistory.Pages() {
            @Override
            public String where() {
                return source.where();
            }

            @Override
            public PageSource.Sighting boot() {
                captureBootPage();
                return boot;
            }

            @Override
            public PageSource.Sighting now() {
                return source.sighting();
            }

            @Override
            public long seqCountNow() {
                return target.has(Capability.HOST_MEMORY) ? VmclockView.this.seqCountNow() : -1;
            }
        });
    }

    public VmTarget target() {
        return target;
    }

    /** Where this view reads the page: from the host, or in the guest. */
    public PageSource pageSource() {
        return source;
    }

    public Evidence evidence() {
        return target.evidence();
    }

    /** The guest of the target (booted on first use). */
    public GuestAgent guest() {
        return target.guest();
    }

    /** Where the page is: from the firmware's ACPI tables (the QEMU default address only as a fallback). */
    public PageLocation location() {
        target.require(Capability.HOST_MEMORY);
        synchronized (lock) {
            if (location == null) {
                target.guest();
                location = PageLocator.locate(target.hostMemory(), LOCATE_TIMEOUT);
            }
            return location;
        }
    }

    private HostPageReader reader() {
        return new HostPageReader(target.hostMemory(), location());
    }

    private HypervisorWriter writer() {
        return new HypervisorWriter(target.hypervisorMemory(), location());
    }

    /** The page as the source saw it right after boot, before any event or injected change. */
    public VmclockPage bootPage() {
        requireDevice();
        VmclockPage page = boot.get();
        evidence().page("boot-page", page);
        recordSource();
        return page;
    }

    /** Where the check's pages were read, in its evidence ({@value #PAGE_SOURCE}: from the host, or in the guest). */
    private void recordSource() {
        evidence().text(PAGE_SOURCE, "the VMClock pages of this check were " + source.where() + "\n");
    }

    /** The evidence file that says where a check's pages were read. */
    public static final String PAGE_SOURCE = "page-source.txt";

    /**
     * Reads the boot page once, when the view is first used (the extension does so before any test's event): from the
     * host once the guest has booted, or in the guest. A page the source cannot see is kept as why.
     */
    public void captureBootPage() {
        synchronized (lock) {
            if (boot == null) {
                if (target.has(Capability.HOST_MEMORY)) {
                    target.guest(); // the page as the booted guest's device presents it
                }
                boot = source.sighting();
            }
        }
    }

    /**
     * Page checks need a page: without any sign of a device they are NOT_APPLICABLE, the ACPI checks FAIL. A page the
     * guest read is such a sign (its driver bound to a device); without one, why the guest could not read it.
     */
    private void requireDevice() {
        captureBootPage();
        VmclockPage bootPage = boot.get();
        if (source instanceof PageSource.Guest) {
            return;
        }
        synchronized (lock) {
            if (deviceFound == null) {
                deviceFound = bootPage.magicIsValid() || !acpiDevices().isEmpty();
            }
        }
        if (!deviceFound) {
            throw NotApplicable.because("the target exposes no VMClock device: no ACPI device AMZNC10C and no VCLK "
                    + "page at QEMU's address " + location() + " (see VMC-ACPI-05, VMC-ACPI-06)");
        }
    }

    /** The page as the source sees it now, read under the seq_count protocol. */
    public VmclockPage page() {
        requireDevice();
        recordSource();
        return source.read();
    }

    /**
     * The page now as the device presents it: consistent when it can be, else (from the host) the raw copy, so that
     * an update held open does not hide the fields it does not touch.
     */
    public VmclockPage presentedPage() {
        requireDevice();
        recordSource();
        return source.observe();
    }

    /**
     * seq_count alone, as the host reads it now, without waiting for the view's lock: a sampler beside the
     * updates the suite makes as the hypervisor (which hold it).
     */
    public long seqCountNow() {
        PageLocation at = location != null ? location : location();
        byte[] b = target.hostMemory().read(at.address() + PageField.SEQ_COUNT.offset(), PageField.SEQ_COUNT.width());
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    /** One copy of the page with no seq_count protocol, by the host: to see an odd seq_count as it is. */
    public VmclockPage rawPage() {
        requireDevice();
        target.require(Capability.HOST_MEMORY); // a guest reader only ever returns consistent copies
        return reader().readRaw();
    }

    /** NOT_APPLICABLE naming HYPERVISOR_WRITER unless the suite can write the page as the hypervisor here. */
    public void requirePageWriter() {
        target.require(Capability.HYPERVISOR_WRITER);
    }

    /** True when the suite can write the page as the hypervisor on this target. */
    public boolean canWritePage() {
        return target.has(Capability.HYPERVISOR_WRITER);
    }

    /** The page through the guest's read() of /dev/vmclock0. */
    public GuestPageRead guestRead() {
        return inGuest(() -> guest().read());
    }

    /** The page through the guest's mmap() of /dev/vmclock0. */
    public GuestPageRead guestMmap() {
        return inGuest(() -> guest().mmap());
    }

    /**
     * Runs an agent call that needs /dev/vmclock0. A guest without it while the host sees the device: the rule
     * cannot be observed from the guest, NOT_APPLICABLE naming why, when a driver had to refuse the page or the
     * host's ACPI tables do not let a guest discover it ({@link Discovery}: the discovery clauses VMC-ACPI-04..09
     * and VMC-DRIVER-01 FAIL for that, once each, with their own host-side checks); on tables that describe it,
     * the driver's failure to bind, a FAIL naming VMC-DRIVER-01 (no device at all is NOT_APPLICABLE, as for every
     * page check). A read that timed out while the host sees seq_count odd is VMC-SEQ-06's failure, judged
     * there; any other refusal is an ERROR.
     */
    public <T> T inGuest(Supplier<T> call) {
        try {
            return call.get();
        } catch (AgentException e) {
            if (source instanceof PageSource.Guest g) {
                throw g.unreadable(e); // no host view to tell why
            }
            String errno = e.errno().orElse("");
            if (errno.equals("ENOENT")) {
                requireDevice();
                refusedPage().ifPresent(why -> {
                    throw NotApplicable.because("the guest has no /dev/vmclock0 and rightly so: a driver must refuse a "
                            + "page whose " + why + ", so the guest cannot observe this rule");
                });
                discovery().failure().ifPresent(why -> {
                    throw NotApplicable.because("the guest could not bind ptp_vmclock: " + why + "; this rule cannot "
                            + "be observed from the guest (" + e.getMessage() + ")");
                });
                throw new AssertionError("the guest has no /dev/vmclock0 although the host's ACPI tables describe the "
                        + "VMClock device (page at " + location() + ", ACPI devices " + acpiDevices() + "): ptp_vmclock "
                        + "did not bind, so the guest cannot observe this rule (VMC-DRIVER-01): " + e.getMessage(), e);
            }
            if (errno.equals("ETIMEDOUT") && target.has(Capability.HOST_MEMORY)) {
                long seq = seqCountNow(); // lock-free: the reader may run beside the suite's own updates
                if ((seq & 1) != 0) {
                    throw NotApplicable.because("the guest cannot read a consistent page: the host sees seq_count "
                            + seq + " (odd) after the guest gave up (see VMC-SEQ-06)");
                }
            }
            throw e;
        }
    }

    /** What the host's ACPI tables say about discovering the page: observed once per run, on first need. */
    private Discovery discovery() {
        synchronized (lock) {
            if (discovery == null) {
                discovery = Discovery.of(acpiTables(), location());
            }
        }
        evidence().note("discovery, from the host's ACPI tables: "
                + discovery.failure().orElse("the tables describe the device at " + location()));
        return discovery;
    }

    /** Why a conformant driver must refuse to bind to the boot page (its header checks), if it must. */
    private Optional<String> refusedPage() {
        VmclockPage p = boot.get();
        if (!p.magicIsValid()) {
            return Optional.of("magic is not VCLK (see VMC-LAYOUT-01)");
        }
        if (p.version() != 1) {
            return Optional.of("version is " + p.version() + ", not 1 (see VMC-LAYOUT-06)");
        }
        if (p.size() < PageField.STRUCT_SIZE || p.size() > location().length()) {
            return Optional.of("size " + p.size() + " does not fit between the structure (" + PageField.STRUCT_SIZE
                    + " bytes) and the region (" + location().length() + " bytes) (see VMC-LAYOUT-03)");
        }
        return Optional.empty();
    }

    /**
     * The run's history of the target ({@link TargetHistory}): one chain of every kind of event the target can do,
     * driven by the first check that asks and judged by every check that compares the device before and after an
     * event or over its lifetime (most events cost a second or more under TCG). Each asking check gets the chain in
     * its own evidence. Without the host's view the chain has guest probes only (its pages are NOT_APPLICABLE).
     */
    public RunHistory history() {
        if (target.has(Capability.HOST_MEMORY)) {
            requireDevice();
        }
        return history.get();
    }

    /**
     * The run's one observation of {@code event}: the step of the {@link #history()} for it (SYSTEM_RESET:
     * observed once on a fresh machine). Each asking check gets the pages and QMP lines in its own evidence.
     * Checks that need an event of their own use {@link #across}.
     */
    public Observation observed(Event event) {
        if (event != Event.SYSTEM_RESET) {
            RunHistory.Step step = history().step(RunHistory.Kind.valueOf(event.name()));
            step.observation().steps().forEach(s -> evidence().transcript(s.toString(), s.transcript()));
            return record(step.observation()); // a page the source did not see: asking for it says why
        }
        Observation o;
        synchronized (lock) {
            o = shared.get(event);
            if (o == null) {
                o = across(event);
                shared.put(event, o);
                return o;
            }
        }
        evidence().note("the run's shared observation of " + event + " (made once, by the first check that asked)");
        o.steps().forEach(s -> evidence().transcript(s.toString(), s.transcript()));
        return record(o);
    }

    /**
     * Two restores of the history's saved state: the target's own (its FILE_RESTORE step) and a clone
     * started beside it, once per run (the clone is stopped once its page is read).
     */
    public RunHistory.Clones clones() {
        RunHistory h = history();
        synchronized (lock) {
            if (clones == null) {
                RunHistory.Step restore = h.step(RunHistory.Kind.FILE_RESTORE);
                clones = new RunHistory.Clones(restore.before(), restore.after(), cloneOf(h));
            }
        }
        evidence().page("clone", clones.restoredBeside());
        return clones;
    }

    /** The page of a second clone of the history's saved state (for rules about clones among themselves). */
    public VmclockPage secondClone() {
        RunHistory h = history();
        synchronized (lock) {
            if (secondClone == null) {
                secondClone = cloneOf(h);
            }
        }
        evidence().page("second-clone", secondClone);
        return secondClone;
    }

    private VmclockPage cloneOf(RunHistory h) {
        location(); // seen from the host only: no clone without its view
        try (Sibling s = target.startSibling(h.savedState())) {
            return pageOf(s);
        }
    }

    /** Puts the target through {@code event} now, reading the page right before and right after. */
    public Observation across(Event event) {
        if (event == Event.SYSTEM_RESET) {
            requireDevice();
            target.require(event.capability());
            return acrossReset();
        }
        return across(event, () -> () -> null).observation();
    }

    /** What {@link #across(Event, Supplier)} saw: the pages around the event, and what the waiting guest call returned. */
    public record Awaited<T>(Observation observation, T result) {
    }

    /**
     * Puts the target through {@code event} while a call waits in the guest: {@code waiting} starts it (after the page
     * before is read) and returns what collects its answer (before the page after is read). The guest answers one
     * call at a time, so no page read in the guest may come between. Not for SYSTEM_RESET (a fresh machine).
     */
    public <T> Awaited<T> across(Event event, Supplier<Supplier<T>> waiting) {
        if (event == Event.SYSTEM_RESET) {
            throw new IllegalArgumentException("SYSTEM_RESET is observed on a fresh machine, with no guest call to wait");
        }
        requireDevice();
        target.require(event.capability());
        target.prepareFor(event);
        VmclockPage before = source.observe();
        Supplier<T> collect = waiting.get();
        List<EventResult> steps = target.undergo(event);
        T result = collect.get();
        VmclockPage after = source.observe();
        return new Awaited<>(record(new Observation(event, before, after, steps)), result);
    }

    /** A fresh machine has no guest of the suite's: its page is seen from the host only. */
    private Observation acrossReset() {
        target.require(Capability.FRESH_MACHINE);
        target.require(Capability.HOST_MEMORY);
        try (Sibling fresh = target.freshMachine()) {
            HostPageReader r = new HostPageReader(fresh.hostMemory(), location());
            VmclockPage before = r.readRaw();
            EventResult reset = fresh.reset();
            VmclockPage after = r.readRaw();
            return record(new Observation(Event.SYSTEM_RESET, before, after, List.of(reset)));
        }
    }

    private Observation record(Observation o) {
        if (!o.seen()) {
            return o;
        }
        String name = o.event().name().toLowerCase();
        evidence().page(name + "-before", o.before());
        evidence().page(name + "-after", o.after());
        if (o.event() == Event.SYSTEM_RESET) {
            evidence().note(name + "-before, " + name + "-after: read from the host, on a fresh machine");
        } else {
            recordSource();
        }
        evidence().diff(o.event().name(), o.before(), o.after());
        return o;
    }

    /** The page of a sibling machine (a clone or restore beside the target), under the seq_count protocol. */
    public VmclockPage pageOf(Sibling sibling) {
        VmclockPage p = new HostPageReader(sibling.hostMemory(), location()).read().page();
        evidence().page("sibling", p);
        return p;
    }

    /** The AMZNC10C devices in the firmware's ACPI tables, read from guest memory by the host. */
    public List<AcpiDevice> acpiDevices() {
        target.require(Capability.HOST_MEMORY);
        target.guest();
        List<AcpiDevice> devices = PageLocator.vmclockDevices(target.hostMemory(), Duration.ofSeconds(2));
        evidence().note("ACPI devices with _HID AMZNC10C: " + devices);
        return devices;
    }

    /** The ACPI devices whose _CRS holds the page, whatever their identity (what a wrong _HID leaves to see). */
    public List<AcpiDevice> acpiDevicesAtPage() {
        List<AcpiDevice> devices = acpiTables().map(t -> t.devicesCovering(location().address())).orElse(List.of());
        evidence().note("ACPI devices whose _CRS holds the page at " + location() + ": " + devices);
        return devices;
    }

    /** The firmware's ACPI tables, read from guest memory by the host; empty when there are none. */
    public Optional<AcpiTables> acpiTables() {
        target.require(Capability.HOST_MEMORY);
        target.guest();
        return AcpiTables.read(target.hostMemory());
    }

    /** Plays the hypervisor: one well-formed update of the page (the suite's own writes, for driver checks). */
    public VmclockPage updatePage(Consumer<byte[]> edit) {
        synchronized (lock) {
            return writer().update(edit);
        }
    }

    /**
     * Plays the hypervisor for the length of one check: publishes the page {@code edit} makes of the
     * current one (a well-formed update), runs {@code during}, then publishes the previous content again
     * (every field but seq_count), so the checks after it see the page they would have seen. Both pages go
     * to the evidence. NOT_APPLICABLE when the suite cannot write the page on this target.
     */
    public <T> T withTemporaryPage(String why, Consumer<byte[]> edit, Supplier<T> during) {
        target.require(Capability.HYPERVISOR_WRITER);
        synchronized (lock) {
            requireDevice();
            HypervisorWriter hv = writer();
            byte[] saved = hv.read().raw().clone();
            VmclockPage temporary = hv.update(edit);
            evidence().page("temporary-page", temporary);
            evidence().note("temporary page published (" + why + ")");
            try {
                return during.get();
            } finally {
                VmclockPage restored = writer().update(p -> {
                    for (PageField f : PageField.values()) {
                        if (f != PageField.SEQ_COUNT) {
                            f.write(p, f.read(saved));
                        }
                    }
                });
                evidence().page("restored-page", restored);
            }
        }
    }

    /** The page right before and right after one routine update of the device's clock writer. */
    public record ClockUpdate(VmclockPage before, VmclockPage after) {
    }

    /**
     * The device's clock writer publishes one routine update now ({@link VmTarget#updateClock()}), so a
     * check about updates compares two parameter sets that really differ. Empty (and said in the evidence)
     * when the target has no clock writer the suite can prompt.
     */
    public Optional<ClockUpdate> clockUpdate() {
        VmclockPage before = page();
        Optional<String> what = target.updateClock();
        if (what.isEmpty()) {
            evidence().note("no clock writer the suite can prompt: no routine update inside this check");
            return Optional.empty();
        }
        VmclockPage after = page();
        evidence().page("clock-update-before", before);
        evidence().page("clock-update-after", after);
        evidence().diff("clock update", before, after);
        if (after.seqCount() == before.seqCount()) {
            throw new IllegalStateException("the clock writer reported an update (" + what.get() + ") but seq_count "
                    + "stayed " + before.seqCount());
        }
        return Optional.of(new ClockUpdate(before, after));
    }

    /** The guest's vmclock PTP clock, read three ways; NOT_APPLICABLE when the driver registered none. */
    public PtpReading ptpRead() {
        PtpReading r = inGuest(() -> guest().ptpRead());
        NotApplicable.unless(r.present(), "the guest has no vmclock PTP clock (ptp_vmclock registers one only for "
                + "the guest's counter with TAI, or UTC with TAI_OFFSET_VALID; see VMC-DRIVER-11)");
        evidence().note("PTP reading: " + r);
        return r;
    }

    /** Runs {@code during} while seq_count is held odd (an update that takes its time), then completes the update. */
    public void whileSeqCountOdd(Runnable during) {
        synchronized (lock) {
            writer().leaveSeqCountOdd();
            try {
                during.run();
            } finally {
                updatePage(p -> { });
            }
        }
    }

    /** The device this view judges. */
    public static Device device() {
        return Device.VMCLOCK;
    }
}
