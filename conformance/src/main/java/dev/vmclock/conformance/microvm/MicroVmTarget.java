package dev.vmclock.conformance.microvm;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.Evidence;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.SharedBoot;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.events.LifecycleEvent;
import dev.vmclock.harness.events.Transcript;
import dev.vmclock.harness.guest.AgentClient;
import dev.vmclock.harness.guest.AgentEndpoint;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.guest.ConsoleLog;
import dev.vmclock.harness.guest.GuestSession;
import dev.vmclock.harness.guest.HybridVsockEndpoint;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Firecracker and Cloud Hypervisor targets share: one guest booted on first need and shared by every check, the
 * agent over hybrid vsock following the machine into each new VMM process, a full save that stops the source (as a VM
 * suspended to disk), restores and siblings each in a process of their own, and every API exchange as the event's
 * transcript. The subclasses map each step to their VMM's API.
 *
 * <p>Neither VMM lets the host read guest memory of a running VM, write it as the hypervisor, load a snapshot in
 * place, reset to firmware, or drive a device without a guest: those capabilities are absent, and the checks needing
 * them NOT_APPLICABLE naming them.
 */
public abstract class MicroVmTarget implements VmTarget {

    /** The relative name of the hybrid-vsock socket in each process's directory (see FirecrackerApi#vsock). */
    protected static final String VSOCK = "vsock.sock";
    protected static final int GUEST_CID = 3;
    protected static final int MEMORY_MIB = 256;
    protected static final int CPUS = 2;
    protected static final Duration REQUEST = Duration.ofSeconds(120);

    protected final MicroVmResolved resolved;
    private final VmmProfile profile;
    private final Object lock = new Object();
    private final SharedBoot boot = new SharedBoot("vmclock-microvm-boot", this::bootOnce, note -> this.evidence.note(note));
    private final VsockEndpoint endpoint = new VsockEndpoint();
    private VmmProcess vm;
    private GuestSession session;
    private Evidence evidence;
    private int processes;
    private int states;

    protected MicroVmTarget(MicroVmResolved resolved, VmmProfile profile) {
        this.resolved = resolved;
        this.profile = profile;
        this.evidence = new Evidence(resolved.evidenceDir().resolve("_target"));
    }

    /** Starts a process in {@code dir}, configures the machine and boots it. */
    protected abstract VmmProcess boot(Path dir);

    /** Pauses the running process. */
    protected abstract void pause(VmmProcess vm);

    /** Resumes the paused process. */
    protected abstract void resume(VmmProcess vm);

    /** Pauses {@code vm} and saves it fully into {@code dir}; the caller stops the process. */
    protected abstract void save(VmmProcess vm, Path dir);

    /** A new process in {@code dir} running the machine saved in {@code state}. */
    protected abstract VmmProcess load(Path state, Path dir);

    /** Live migration to a new local process in {@code dir}; the source ends. */
    protected VmmProcess migrate(VmmProcess source, Path dir) {
        throw new IllegalStateException("no live migration on " + resolved.implementation().displayName());
    }

    @Override
    public final Set<Capability> capabilities() {
        return profile.capabilities();
    }

    /**
     * The profile of a VMM of this kind: pause/resume, a full save restored by a new process, and the agent over
     * hybrid vsock, plus {@code more}; {@code why} says why each other capability is absent where the shared line
     * does not fit.
     */
    public static VmmProfile profile(Set<Capability> more, Device device, Map<Capability, String> why, String note) {
        Set<Capability> c = EnumSet.of(Capability.PAUSE_RESUME, Capability.FILE_RESTORE, Capability.GUEST_AGENT);
        c.addAll(more);
        Map<Capability, String> missing = new EnumMap<>(Capability.class);
        missing.put(Capability.HOST_MEMORY, "no host view of a running guest's memory");
        missing.put(Capability.HYPERVISOR_WRITER, "no host writes to guest memory as the hypervisor");
        missing.put(Capability.SNAPSHOT, "no savevm/loadvm: a snapshot loads only into a new process");
        missing.put(Capability.LIVE_MIGRATION, "no live migration");
        missing.put(Capability.FRESH_MACHINE, "no firmware-only machine to reset");
        missing.put(Capability.CROSS_VERSION_HOP, "one binary per run, no hop between versions");
        missing.put(Capability.DEVICE_BUS, "no device-level bus: devices are reached through the guest only");
        missing.putAll(why);
        missing.keySet().removeAll(c);
        return new VmmProfile(c, List.of(device), missing, Map.of(), note);
    }

    @Override
    public String describe() {
        return resolved.describe();
    }

    @Override
    public String machineType() {
        return resolved.implementation().machine();
    }

    @Override
    public List<Device> devices() {
        return resolved.devices();
    }

    @Override
    public DeviceBus deviceBus(Device device) {
        throw NotApplicable.because(resolved.implementation().displayName() + " offers no bus the suite can drive a"
                + " device on without a guest (capability " + Capability.DEVICE_BUS + "): "
                + profile.why(Capability.DEVICE_BUS).orElse(""));
    }

    @Override
    public GuestAgent guest() {
        require(Capability.GUEST_AGENT);
        running();
        return session;
    }

    /** A new directory for the next VMM process: socket, console and stderr together, kept as evidence. */
    protected Path nextDir(String what) {
        return resolved.evidenceDir().resolve("_vmm").resolve(String.format("%02d-%s", ++processes, what));
    }

    /** The running process of the shared machine, booted (and its agent answering) on first need. */
    private VmmProcess running() {
        synchronized (lock) {
            boot.ensure();
            return vm;
        }
    }

    private void bootOnce() {
        long t0 = System.nanoTime();
        try {
            vm = boot(nextDir("boot"));
            endpoint.generation++;
            GuestSession s = GuestSession.attach(endpoint, GuestSession.BOOT_TIMEOUT, t0);
            s.requireDrivers(resolved.devices());
            s.requireClockRate();
            session = s;
        } catch (HarnessException e) {
            endpoint.keepEvidence();
            if (vm != null) {
                vm.close();
                vm = null;
            }
            throw e;
        }
    }

    @Override
    public void startEarly() {
        boot.startEarly(this::running);
    }

    /** The guest's agent in whichever process carries the machine now. */
    private final class VsockEndpoint implements AgentEndpoint {
        private volatile long generation;
        private int kept;

        @Override
        public long generation() {
            return generation;
        }

        @Override
        public AgentClient connect() throws IOException {
            VmmProcess p = vm;
            if (p == null) {
                throw new IOException("no VMM process carries the guest");
            }
            return HybridVsockEndpoint.open(p.dir().resolve(VSOCK), HybridVsockEndpoint.AGENT_PORT,
                    HybridVsockEndpoint.HANDSHAKE_TIMEOUT);
        }

        @Override
        public Optional<String> gone() {
            VmmProcess p = vm;
            return p == null ? Optional.of("no VMM process carries the guest") : p.gone();
        }

        @Override
        public String consoleTail(int lines) {
            VmmProcess p = vm;
            return p == null ? "" : ConsoleLog.tail(p.console(), lines);
        }

        @Override
        public synchronized String keepEvidence() {
            VmmProcess p = vm;
            if (p == null) {
                return "not kept (no VMM process)";
            }
            return ConsoleLog.keep(p.console(), resolved.evidenceDir().resolve("_guest"), "console-" + (++kept) + ".log");
        }

        @Override
        public void close() {
            VmmProcess p = vm;
            if (p != null) {
                p.close();
            }
        }
    }

    /** Runs {@code step} and keeps every API line the processes involved exchanged meanwhile. */
    private EventResult step(LifecycleEvent event, String how, List<VmmProcess> involved, Runnable step) {
        List<Integer> marks = involved.stream().map(p -> p.api().mark()).toList();
        long t0 = System.nanoTime();
        List<Transcript.Line> lines = new ArrayList<>();
        try {
            step.run();
        } finally {
            for (int i = 0; i < involved.size(); i++) {
                lines.addAll(involved.get(i).api().since(marks.get(i)));
            }
            evidence.transcript(event.name(), lines);
        }
        return new EventResult(event, Duration.ofNanos(System.nanoTime() - t0), how, lines);
    }

    /** A process started by {@code start}, with the transcript of its start-up requests. */
    private EventResult started(LifecycleEvent event, String how, java.util.function.Supplier<VmmProcess> start,
                                java.util.function.Consumer<VmmProcess> into) {
        long t0 = System.nanoTime();
        VmmProcess p = start.get();
        into.accept(p);
        List<Transcript.Line> lines = p.api().since(0);
        evidence.transcript(event.name(), lines);
        return new EventResult(event, Duration.ofNanos(System.nanoTime() - t0), how, lines);
    }

    @Override
    public List<EventResult> undergo(Event event) {
        synchronized (lock) {
            VmmProcess p = running();
            List<EventResult> steps = new ArrayList<>();
            switch (event) {
                case PAUSE_RESUME -> {
                    steps.add(step(LifecycleEvent.PAUSE, "pause over the API", List.of(p), () -> pause(p)));
                    steps.add(step(LifecycleEvent.RESUME, "resume over the API", List.of(p), () -> resume(p)));
                }
                case FILE_RESTORE -> {
                    SavedState s = saveState();
                    steps.add(s.save());
                    steps.add(restore(s));
                }
                case LIVE_MIGRATION -> {
                    require(Capability.LIVE_MIGRATION);
                    Path dir = nextDir("migration");
                    VmmProcess[] dest = new VmmProcess[1];
                    steps.add(step(LifecycleEvent.LIVE_MIGRATION, "local live migration to a new process", List.of(p),
                            () -> dest[0] = migrate(p, dir)));
                    follow(dest[0]);
                }
                case SNAPSHOT_SAVE, SNAPSHOT_LOAD -> require(Capability.SNAPSHOT);
                case SYSTEM_RESET -> require(Capability.FRESH_MACHINE);
            }
            return steps;
        }
    }

    /** The machine moved to {@code next}: the previous process ends, the agent reconnects. */
    private void follow(VmmProcess next) {
        VmmProcess old = vm;
        vm = next;
        endpoint.generation++;
        if (old != null && old != next) {
            old.close();
        }
    }

    /** A full save: its directory. */
    private record MicroState(Path dir, EventResult save) implements SavedState {
    }

    @Override
    public SavedState saveState() {
        synchronized (lock) {
            VmmProcess p = running();
            Path dir = resolved.evidenceDir().resolve("_states").resolve("state-" + (++states));
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot create " + dir + ": " + e.getMessage(), e);
            }
            EventResult r = step(LifecycleEvent.SAVE_TO_FILE, "pause, then a full snapshot to files", List.of(p),
                    () -> save(p, dir));
            // The source stops, as a VM suspended to disk: its process ends until a restore takes the machine over.
            p.close();
            return new MicroState(dir, r);
        }
    }

    private static MicroState own(SavedState s) {
        if (s instanceof MicroState m) {
            return m;
        }
        throw new HarnessException(ExitCode.HARNESS_ERROR, "a state saved by another target: " + s);
    }

    @Override
    public EventResult restore(SavedState state) {
        synchronized (lock) {
            Path from = own(state).dir();
            return started(LifecycleEvent.RESTORE_FROM_FILE, "a new process loads the snapshot",
                    () -> load(from, nextDir("restore")), this::follow);
        }
    }

    @Override
    public Sibling startSibling(SavedState state) {
        VmmProcess p = load(own(state).dir(), nextDir("sibling"));
        evidence.transcript("SIBLING", p.api().since(0));
        return new Sibling() {
            @Override
            public PhysicalMemory hostMemory() {
                return (address, length) -> {
                    throw NotApplicable.because("the target cannot " + Capability.HOST_MEMORY.description()
                            + " (capability " + Capability.HOST_MEMORY + ")");
                };
            }

            @Override
            public EventResult reset() {
                throw NotApplicable.because("the target cannot " + Capability.FRESH_MACHINE.description()
                        + " (capability " + Capability.FRESH_MACHINE + ")");
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }

    @Override
    public PhysicalMemory hostMemory() {
        require(Capability.HOST_MEMORY);
        throw new IllegalStateException("unreachable: HOST_MEMORY is never declared");
    }

    @Override
    public WritableMemory hypervisorMemory() {
        require(Capability.HYPERVISOR_WRITER);
        throw new IllegalStateException("unreachable: HYPERVISOR_WRITER is never declared");
    }

    @Override
    public EventResult saveSnapshot(String tag) {
        require(Capability.SNAPSHOT);
        throw new IllegalStateException("unreachable: SNAPSHOT is never declared");
    }

    @Override
    public EventResult loadSnapshot(String tag) {
        require(Capability.SNAPSHOT);
        throw new IllegalStateException("unreachable: SNAPSHOT is never declared");
    }

    @Override
    public Sibling freshMachine() {
        require(Capability.FRESH_MACHINE);
        throw new IllegalStateException("unreachable: FRESH_MACHINE is never declared");
    }

    @Override
    public Evidence evidence() {
        return evidence;
    }

    @Override
    public void beginTest(String name) {
        evidence = new Evidence(resolved.evidenceDir().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
    }

    @Override
    public void endTest(boolean failed) {
        if (failed && vm != null) {
            evidence.text("console.txt", endpoint.consoleTail(200));
            evidence.text("vmm-stderr.txt", vm.stderrTail());
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (session != null) {
                session.close();
            }
            if (vm != null) {
                vm.close();
                vm = null;
            }
        }
    }
}
