package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.SharedBoot;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.Evidence;

import dev.vmclock.conformance.clock.ReferenceClock;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.qmp.QmpTranscript;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.qemu.QemuGuest;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.RtcBackend;
import dev.vmclock.harness.qemu.PageOverride;
import dev.vmclock.harness.page.VmclockPage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A QEMU target, local or in a container: one Linux guest (TCG unless KVM really works), booted on first
 * use and shared by every check of the run. Events are applied to it in place (the guest is never
 * rebooted for a check) and recorded in the running test's evidence.
 *
 * <p>With a {@link ReferenceClock} the suite also plays QEMU's missing clock writer: it presents the
 * constant fields before the guest runs, publishes calibrated clock data after boot, and re-anchors it
 * before the next test after any event (the guest's counter stood still or went back during it).
 *
 * <p>With a {@link Hop} (capability {@link Capability#CROSS_VERSION_HOP}) the guest boots on the source QEMU (A)
 * and every event that starts a new hypervisor process starts it from the destination (B): live migration over a
 * unix socket, migration to a file then restore, and snapshot load (savevm on A, A quits, B starts on the same
 * snapshot image and loads the tag). So each judged event is an A-to-B hop, the machine is taken back to A first
 * when it runs on B: a live migration B-to-A, recorded in the evidence as a harness step ("return hop"), done
 * before each test and, within a test, before such an event, {@link #saveSnapshot} and {@link #saveState} (so a
 * snapshot or state file is always A's). savevm and pause/resume start no process: they run where the machine
 * is. Siblings ({@link #startSibling}) and fresh machines stay on A: they judge restores beside the target, not
 * the hop.
 */
public final class QemuTarget implements VmTarget, AutoCloseable {

    private final TargetConfig config;
    private final MachineSpec spec;
    private final Object lock = new Object();
    private final SharedBoot boot = new SharedBoot("vmclock-boot", this::boot, note -> this.evidence.note(note));
    private QemuGuest guest;
    private DeviceMachine bus;
    private HarnessException busFailure;
    private boolean clockStale;
    private Evidence evidence;
    private int tags;

    public QemuTarget(TargetConfig config) {
        this.config = config;
        this.spec = spec(config);
        this.evidence = new Evidence(config.evidenceDir().resolve("_target"));
    }

    /** The machine every check runs on (the guest kernel is added at boot). */
    private static MachineSpec spec(TargetConfig config) {
        TargetOptions o = config.options();
        boolean tcg = config.accelerator().accelerator() == Accelerator.TCG;
        MachineSpec.Builder b = MachineSpec.builder().machineType(config.machine())
                .accelerator(config.accelerator().accelerator()).devices(config.devices()).cpus(2)
                // The qtest socket lets the suite play the hypervisor's writer (driver checks, the reference clock);
                // under KVM only when asked for (a decorator writing the page as the device).
                .qtest(tcg || o.hypervisorWriter() || o.clock().isPresent());
        o.pageOverride().ifPresent(p -> b.pageOverride(new PageOverride(p, PageLocation.QEMU_DEFAULT.address())));
        o.qemuArgs().forEach(b::extraArg);
        config.vsockBackend().ifPresent(b::vsockBackend);
        config.rtcBackend().ifPresent(b::rtcBackend);
        return b.build();
    }

    public TargetConfig config() {
        return config;
    }

    @Override
    public String describe() {
        return config.describe();
    }

    @Override
    public String machineType() {
        return spec.machineType();
    }

    /**
     * What the agent's transport takes away: QEMU marks vhost-user-vsock unmigratable (its vmstate), so savevm,
     * migration and migration to a file are refused for the machine that has it ("State blocked by non-migratable
     * device"). Siblings restored from a file go with it; fresh machines have no guest and stay.
     */
    public static final Set<Capability> UNMIGRATABLE = Set.of(Capability.SNAPSHOT, Capability.LIVE_MIGRATION,
            Capability.FILE_RESTORE, Capability.CROSS_VERSION_HOP);

    @Override
    public Set<Capability> capabilities() {
        // The provider's profile, narrowed by the run as its conditions say.
        Set<Capability> c = EnumSet.copyOf(QemuProvider.PROFILE.capabilities());
        if (!spec.qtest()) {
            c.remove(Capability.HYPERVISOR_WRITER);
        }
        if (spec.vsockBackend().isPresent() || spec.rtcBackend().isPresent()) {
            c.removeAll(UNMIGRATABLE);
        }
        if (config.hop().isEmpty()) {
            c.remove(Capability.CROSS_VERSION_HOP);
        }
        return c;
    }

    @Override
    public List<Device> devices() {
        return spec.devices();
    }

    @Override
    public String lacks(Capability capability) {
        if (!UNMIGRATABLE.contains(capability)) {
            return VmTarget.cannot(capability);
        }
        if (spec.rtcBackend().isPresent()) {
            return VmTarget.cannot(capability) + ": QEMU cannot save or migrate a machine with " + RtcBackend.FRONT_END
                    + ", the virtio-rtc device's front end (--vhost-user-rtc)";
        }
        return VmTarget.cannot(capability) + (spec.vsockBackend().isPresent()
                ? ": QEMU cannot save or migrate a machine with vhost-user-vsock, the agent's transport (--agent-transport vsock)"
                : "");
    }

    /** The agent half of the booted guest: all a check may hold. */
    @Override
    public GuestAgent guest() {
        return booted().session();
    }

    /** The shared guest, booted on first use, with its machine. */
    private QemuGuest booted() {
        synchronized (lock) {
            boot.ensure();
            return guest;
        }
    }

    /**
     * Starts the boot now, on a thread of its own, so that it overlaps what the run does before its first check
     * (JUnit's discovery, loading the suite's classes: about 1.5 s here). The first check that needs the guest
     * waits for it in {@link #guest()}, and a boot that failed is that check's ERROR, as without this.
     */
    @Override
    public void startEarly() {
        boot.startEarly(this::booted);
    }

    private Machine machine() {
        return booted().machine();
    }

    @Override
    public PhysicalMemory hostMemory() {
        return (address, length) -> machine().hostMemory().read(address, length);
    }

    @Override
    public WritableMemory hypervisorMemory() {
        require(Capability.HYPERVISOR_WRITER);
        return new WritableMemory() {
            @Override
            public byte[] read(long address, int length) {
                return machine().qtestMemory().read(address, length);
            }

            @Override
            public void write(long address, byte[] bytes) {
                machine().qtestMemory().write(address, bytes);
            }
        };
    }

    @Override
    public List<EventResult> undergo(Event event) {
        synchronized (lock) {
            Machine m = machine();
            List<EventResult> steps = new ArrayList<>();
            if (event == Event.SNAPSHOT_LOAD || event == Event.LIVE_MIGRATION || event == Event.FILE_RESTORE) {
                returnToSource(steps);
            }
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
                case SYSTEM_RESET -> throw new IllegalArgumentException(
                        "system_reset is observed on a fresh machine (freshMachine()), not on the shared guest");
            }
            return recorded(steps);
        }
    }

    @Override
    public void prepareFor(Event event) {
        if (event != Event.PAUSE_RESUME && event != Event.SYSTEM_RESET) {
            synchronized (lock) {
                recorded(returnToSource());
            }
        }
    }

    @Override
    public EventResult saveSnapshot(String tag) {
        synchronized (lock) {
            recorded(returnToSource());
            return recorded(List.of(machine().saveSnapshot(tag))).get(0);
        }
    }

    @Override
    public EventResult loadSnapshot(String tag) {
        synchronized (lock) {
            recorded(returnToSource());
            return recorded(List.of(machine().loadSnapshot(tag))).get(0);
        }
    }

    @Override
    public SavedState saveState() {
        synchronized (lock) {
            recorded(returnToSource());
            Path file = machine().newStateFile();
            EventResult r = recorded(List.of(machine().saveToFile(file))).get(0);
            return new StateFile(file, r);
        }
    }

    @Override
    public EventResult restore(SavedState state) {
        synchronized (lock) {
            return recorded(List.of(machine().restoreFromFile(StateFile.of(state).file()))).get(0);
        }
    }

    @Override
    public Sibling startSibling(SavedState state) {
        Machine m = machine();
        return new MachineSibling(Machine.restore(config.qemu(), m.spec(), StateFile.of(state).file()));
    }

    @Override
    public Sibling freshMachine() {
        // Firmware only: no agent, so no vsock back end either.
        Machine m = Machine.start(config.qemu(), spec.toBuilder().vsockBackend(null).build());
        m.pageLocation(); // waits for the firmware: its ACPI tables are in memory once the page is found
        return new MachineSibling(m);
    }

    /**
     * Across a hop: when the machine runs on the destination, takes it back to the source (a live migration,
     * recorded as a harness step) so that the next event is a source-to-destination hop again.
     */
    private List<EventResult> returnToSource() {
        List<EventResult> steps = new ArrayList<>();
        returnToSource(steps);
        return steps;
    }

    private void returnToSource(List<EventResult> steps) {
        if (guest == null || config.hop().isEmpty()) {
            return;
        }
        guest.machine().returnToSource().ifPresent(r -> {
            evidence.note("return hop (a harness step, not the event under test): the machine went back to the source"
                    + " QEMU by live migration in " + r.elapsed().toMillis() + " ms, so the next event hops from it");
            steps.add(r);
        });
    }

    /**
     * Every event goes to the running test's evidence; afterwards the reference clock is stale (the
     * guest's counter stood still or went back) and is re-anchored before the next test, not here, so an
     * event's before/after shows only what the device did.
     */
    private List<EventResult> recorded(List<EventResult> steps) {
        steps.forEach(s -> evidence.transcript(s.toString(), s.transcript()));
        clockStale |= !steps.isEmpty() && config.options().clock().isPresent();
        return steps;
    }

    /**
     * The reference clock's routine update ({@link ReferenceClock#update}); after an event of the same test
     * it re-anchors instead (the counter stood still or went back: no promise of the old page carries
     * over). Either way the next test starts from a fresh anchor, so a broken writer's update stays in
     * the check that asked for it.
     */
    @Override
    public Optional<String> updateClock() {
        synchronized (lock) {
            if (config.options().clock().isEmpty()) {
                return Optional.empty();
            }
            QemuGuest g = booted();
            ReferenceClock clock = config.options().clock().get();
            String what = clockStale
                    ? "re-anchored after an event: counter_value " + clock.reanchor(g, g.machine().hypervisor()).counterValue()
                    : clock.update(g, g.machine().hypervisor()).toString();
            clockStale = true;
            evidence.note(what);
            return Optional.of(what);
        }
    }

    @Override
    public Evidence evidence() {
        return evidence;
    }

    @Override
    public void beginTest(String name) {
        evidence = new Evidence(config.evidenceDir().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
        synchronized (lock) {
            // Each test starts on the source, so its first event is a source-to-destination hop.
            recorded(returnToSource());
            if (clockStale && guest != null) {
                clockStale = false;
                VmclockPage p = config.options().clock().get().reanchor(guest, guest.machine().hypervisor());
                evidence.note("reference clock re-anchored after the previous test's events: counter_value "
                        + p.counterValue() + ", seq_count " + p.seqCount());
            }
        }
    }

    @Override
    public void endTest(boolean failed) {
        if (failed && guest != null) {
            evidence.text("console.txt", guest.machine().vm().consoleTail(200));
            guest.machine().transcripts().forEach(t -> evidence.transcript("full transcript",
                    QmpTranscript.asLines(t.entries())));
        }
    }

    /** A QEMU migration stream in a file: what {@link #saveState()} leaves. */
    private record StateFile(Path file, EventResult save) implements SavedState {
        static StateFile of(SavedState state) {
            if (state instanceof StateFile f) {
                return f;
            }
            throw new IllegalArgumentException("not a state this QEMU target saved: " + state);
        }
    }

    private String nextTag() {
        return "t" + (++tags);
    }

    /**
     * Under TCG a boot has been seen to hang before the kernel printed anything (on a loaded host), and QEMU
     * 10.0 to abort before it did ("iotlb_to_section: Assertion `section_index < d->map.sections_nb'
     * failed", in TCG's memory dispatch, once in some thousand boots of the fault tier). Neither says anything
     * about the device, so such a boot is retried once (the first run directory is kept as evidence, and the
     * run's evidence says so); any other boot failure, or a second one, is an ERROR. A QEMU that cannot boot
     * this machine at all fails the same way twice.
     */
    private void boot() {
        Consumer<Machine> beforeRun = config.options().clock().isPresent()
                ? m -> config.options().clock().get().presentConstants(m.hypervisorAt(PageLocation.QEMU_DEFAULT)) : null;
        QemuGuest booted = QemuGuest.boot(config.qemu(), spec, config.guestImage(), GuestSession.BOOT_TIMEOUT, beforeRun);
        try {
            config.hop().ifPresent(h -> booted.machine().hopsTo(h.destination()));
            config.options().clock().ifPresent(c -> publish(c, booted));
        } catch (RuntimeException e) {
            booted.close();
            throw e;
        }
        guest = booted;
    }

    private static void publish(ReferenceClock clock, QemuGuest guest) {
        try {
            clock.publish(guest, guest.machine().hypervisor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException(ExitCode.HARNESS_ERROR, "interrupted while calibrating the reference clock", e);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            // A virtio-rtc back end's own output is evidence of the device under test: kept before its directory goes.
            Path kept = config.evidenceDir().resolve("_target");
            if (guest != null) {
                guest.machine().vm().rtcBackend().ifPresent(b -> b.keepOutput(kept, "rtc-backend-guest"));
                guest.close();
            }
            if (bus != null) {
                bus.rtcBackend().ifPresent(b -> b.keepOutput(kept, "rtc-backend-bus"));
                bus.close();
            }
        }
    }

    /**
     * virtio-rtc on a guest-less QEMU of the run's binary, reached over qtest, started on first use: the device-level
     * checks drive it with the suite's own driver. Any QEMU with {@code virtio-rtc-pci} offers it, whatever devices the
     * guest's machine has; with {@code --vhost-user-rtc}, its {@code vhost-user-rtc-pci} and a back end of its own.
     */
    @Override
    public DeviceBus deviceBus(Device device) {
        require(Capability.DEVICE_BUS);
        NotApplicable.unless(device == Device.VIRTIO_RTC, "the suite drives no " + device.specName() + " on a bus");
        String name = config.rtcBackend().isPresent() ? RtcBackend.FRONT_END : QemuDevices.name(device);
        NotApplicable.unless(config.qemu().hasDevice(name), config.qemu() + " has no " + name
                + " device (QEMU >= 11.1 has it)");
        synchronized (lock) {
            if (busFailure != null) {
                throw new HarnessException(busFailure.exitCode(), "the virtio-rtc machine did not start earlier in this"
                        + " run: " + busFailure.getMessage(), busFailure);
            }
            if (bus == null) {
                try {
                    bus = DeviceMachine.start(config.qemu(), device, config.rtcBackend());
                } catch (HarnessException e) {
                    busFailure = e;
                    throw e;
                }
            }
            return bus.bus();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** A second QEMU machine, seen from the host. */
    private record MachineSibling(Machine machine) implements Sibling {
        @Override
        public PhysicalMemory hostMemory() {
            return machine.hostMemory();
        }

        @Override
        public EventResult reset() {
            return machine.systemReset();
        }

        @Override
        public void close() {
            machine.close();
        }
    }
}
