package dev.vmclock.conformance.exec;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.Evidence;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.SharedBoot;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.adapter.AdapterAnswer;
import dev.vmclock.harness.adapter.AgentAddress;
import dev.vmclock.harness.adapter.AdapterException;
import dev.vmclock.harness.adapter.AdapterMemory;
import dev.vmclock.harness.adapter.AdapterProcess;
import dev.vmclock.harness.adapter.ExchangeLine;
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
import dev.vmclock.harness.page.PageLocator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The target behind an adapter: every event is one or two protocol operations, the adapter's VMM transcript is the
 * event's transcript, and a broken adapter is the check's ERROR with the exchange and its stderr in the evidence.
 *
 * <p>The guest (capability GUEST_AGENT) boots on first need and is shared by every check, as on QEMU: the suite's
 * {@link GuestSession} over an {@link AdapterEndpoint}, the socket the adapter named last, reconnected after any answer
 * that names one (a machine moved to a new VMM process).
 */
final class ExecTarget implements VmTarget {

    private static final Duration EVENT = Duration.ofSeconds(120);
    private static final Duration FIRMWARE = Duration.ofSeconds(30);

    private final ExecResolved resolved;
    private final AdapterProcess adapter;
    private final Object lock = new Object();
    /** As QemuTarget's, but an adapter that has gone is not asked again. */
    private final SharedBoot boot = new SharedBoot("vmclock-exec-boot", this::boot,
            this::worthAnotherBoot, note -> this.evidence.note(note));
    private String machine;
    private GuestSession session;
    private final AdapterEndpoint endpoint = new AdapterEndpoint();
    private Evidence evidence;
    private int tags;

    ExecTarget(ExecResolved resolved) {
        this.resolved = resolved;
        this.adapter = resolved.adapter();
        this.evidence = new Evidence(resolved.evidenceDir().resolve("_target"));
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
    public Set<Capability> capabilities() {
        Set<Capability> c = EnumSet.noneOf(Capability.class);
        for (String name : adapter.hello().capabilities()) {
            c.add(Capability.valueOf(name)); // AdapterProcess accepts only v1's names, each a Capability
        }
        return c; // --without is applied by TargetExtension (WithoutCapabilities), as for every target
    }

    @Override
    public List<Device> devices() {
        return resolved.devices();
    }

    @Override
    public DeviceBus deviceBus(Device device) {
        throw NotApplicable.because("an adapter offers no device bus (protocol v1)");
    }

    @Override
    public GuestAgent guest() {
        require(Capability.GUEST_AGENT);
        machine();
        return session;
    }

    private boolean agentOffered() {
        return adapter.hello().capabilities().contains(Capability.GUEST_AGENT.name());
    }

    /** The shared machine, booted (and its agent answering, when offered) on first need. */
    private String machine() {
        synchronized (lock) {
            boot.ensure();
            return machine;
        }
    }

    /** Boots in the background, overlapping JUnit's discovery, as QemuTarget does; the first check waits for it. */
    @Override
    public void startEarly() {
        boot.startEarly(this::machine);
    }

    private boolean worthAnotherBoot(HarnessException e) {
        return GuestSession.isTransientBootFailure(e) && adapter.isAlive();
    }

    private void boot() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("kernel", resolved.guestImage().kernel().toString());
        if (resolved.guestImage().initramfs() != null) {
            args.put("initrd", resolved.guestImage().initramfs().toString());
        }
        args.put("cmdline", GuestSession.KERNEL_CMDLINE);
        args.put("memory_mib", 256);
        args.put("cpus", 2);
        args.put("devices", resolved.devices().stream().map(ExecTarget::protocolName).toList());
        boolean agent = agentOffered();
        if (agent) {
            args.put("agent", AgentAddress.UNIX);
        }
        long t0 = System.nanoTime();
        AdapterAnswer a = call("boot", args);
        String id = a.text("machine");
        try {
            endpoint.follow(id, a);
            if (!agent) {
                machine = id;
                PageLocator.locate(hostMemory(), FIRMWARE); // the firmware has run once its tables are there
                return;
            }
            if (a.agent().isEmpty()) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "adapter " + adapter.path().getFileName()
                        + ": boot claimed GUEST_AGENT but its answer names no agent endpoint");
            }
            GuestSession s = GuestSession.attach(endpoint, GuestSession.BOOT_TIMEOUT, t0);
            s.requireDrivers(resolved.devices());
            s.requireClockRate();
            session = s;
            machine = id;
        } catch (RuntimeException e) {
            endpoint.keepEvidence();
            machine = null;
            if (adapter.isAlive()) {
                try {
                    call("stop", Map.of("machine", id));
                } catch (AdapterException stopFailed) {
                    e.addSuppressed(stopFailed);
                }
            }
            throw e;
        }
    }

    /**
     * The agent of the shared machine, where the adapter said last: each answer naming an endpoint (boot, and an
     * event that moved the machine to a new VMM process) makes a new generation, so the session reconnects.
     */
    private final class AdapterEndpoint implements AgentEndpoint {
        private volatile String id;
        private volatile AgentAddress address;
        private volatile Path console;
        private volatile long generation;
        private int kept;

        /** Takes the endpoint and console an answer for machine {@code id} names, if it names them. */
        void follow(String id, AdapterAnswer a) {
            this.id = id;
            a.console().ifPresent(c -> console = c);
            a.agent().ifPresent(named -> {
                if (!named.transport().equals(AgentAddress.UNIX) && !named.transport().equals(AgentAddress.VSOCK_HYBRID)) {
                    throw new HarnessException(ExitCode.HARNESS_ERROR, "adapter " + adapter.path().getFileName()
                            + ": unknown agent transport '" + named.transport() + "' (v1 knows " + AgentAddress.UNIX
                            + " and " + AgentAddress.VSOCK_HYBRID + ")");
                }
                address = named;
                generation++;
            });
        }

        @Override
        public long generation() {
            return generation;
        }

        @Override
        public AgentClient connect() throws IOException {
            AgentAddress at = address;
            if (at == null) {
                throw new IOException("the adapter named no agent endpoint");
            }
            // Hybrid vsock: the VMM's unix socket, then CONNECT to the agent's guest port (the adapter's, else 5151).
            return at.transport().equals(AgentAddress.VSOCK_HYBRID)
                    ? HybridVsockEndpoint.open(at.path(), at.port() > 0 ? at.port() : HybridVsockEndpoint.AGENT_PORT,
                            HybridVsockEndpoint.HANDSHAKE_TIMEOUT)
                    : AgentClient.connect(at.path());
        }

        @Override
        public Optional<String> gone() {
            if (adapter.isAlive()) {
                return Optional.empty();
            }
            String tail = adapter.stderrTail().lines().filter(l -> !l.isBlank()).reduce((x, y) -> y).orElse("");
            return Optional.of("the adapter " + adapter.path().getFileName() + " exited"
                    + (tail.isEmpty() ? "" : " (stderr: " + tail + ")"));
        }

        @Override
        public String consoleTail(int lines) {
            Path c = console;
            return c == null ? "" : ConsoleLog.tail(c, lines);
        }

        /** Copies the console into the run's evidence: the adapter's own files may go when it exits. */
        @Override
        public synchronized String keepEvidence() {
            Path c = console;
            if (c == null) {
                return "not kept (the adapter names no console log)";
            }
            return ConsoleLog.keep(c, resolved.evidenceDir().resolve("_guest"), "console-" + id + "-" + (++kept) + ".log");
        }

        /** Stops the machine; the adapter's shutdown would too, but a session closed early stops it now. */
        @Override
        public void close() {
            String m = id;
            if (m != null && adapter.isAlive()) {
                try {
                    adapter.request("stop", Map.of("machine", m), EVENT);
                } catch (AdapterException e) {
                    // the adapter's shutdown, or its group's kill, ends the machine anyway
                }
            }
        }
    }

    static String protocolName(Device d) {
        return d == Device.VMCLOCK ? "vmclock" : "virtio-rtc";
    }

    /** One request; a broken adapter leaves its exchange and stderr in the running test's evidence. */
    private AdapterAnswer call(String op, Map<String, ?> args) {
        int mark = adapter.exchangeMark();
        try {
            return adapter.request(op, args, EVENT);
        } catch (AdapterException e) {
            evidence.text("adapter-exchange.txt", adapter.exchangeSince(Math.max(0, mark - 20)).stream()
                    .map(ExchangeLine::toString).collect(Collectors.joining("\n")));
            evidence.text("adapter-stderr.txt", e.stderrTail());
            throw e;
        }
    }

    private EventResult event(LifecycleEvent event, String op, Map<String, ?> args) {
        AdapterAnswer a = call(op, args);
        if (args.get("machine") != null && args.get("machine").equals(machine)) {
            endpoint.follow(machine, a); // migrate, restore in place, or a snapshot load into a new process
        }
        return new EventResult(event, a.elapsed().orElse(Duration.ZERO), "adapter op " + op, lines(a));
    }

    @Override
    public PhysicalMemory hostMemory() {
        return new AdapterMemory(adapter, this::machine);
    }

    @Override
    public WritableMemory hypervisorMemory() {
        require(Capability.HYPERVISOR_WRITER);
        return new AdapterMemory(adapter, this::machine);
    }

    @Override
    public List<EventResult> undergo(Event event) {
        synchronized (lock) {
            Map<String, Object> m = Map.of("machine", machine());
            List<EventResult> steps = new ArrayList<>();
            switch (event) {
                case SNAPSHOT_SAVE -> steps.add(saveSnapshot(nextTag()));
                case SNAPSHOT_LOAD -> {
                    String tag = nextTag();
                    steps.add(saveSnapshot(tag));
                    steps.add(loadSnapshot(tag));
                }
                case LIVE_MIGRATION -> steps.add(event(LifecycleEvent.LIVE_MIGRATION, "migrate", m));
                case FILE_RESTORE -> {
                    SavedState s = saveState();
                    steps.add(s.save());
                    steps.add(restore(s));
                }
                case PAUSE_RESUME -> {
                    steps.add(event(LifecycleEvent.PAUSE, "pause", m));
                    steps.add(event(LifecycleEvent.RESUME, "resume", m));
                }
                case SYSTEM_RESET -> throw new IllegalArgumentException(
                        "system_reset is observed on a fresh machine (freshMachine()), not on the shared guest");
            }
            steps.forEach(s -> evidence.transcript(s.event().name(), s.transcript()));
            return steps;
        }
    }

    private String nextTag() {
        return "vmclock-" + (++tags);
    }

    @Override
    public EventResult saveSnapshot(String tag) {
        return event(LifecycleEvent.SNAPSHOT_SAVE, "snapshot_save", Map.of("machine", machine(), "tag", tag));
    }

    @Override
    public EventResult loadSnapshot(String tag) {
        return event(LifecycleEvent.SNAPSHOT_LOAD, "snapshot_load", Map.of("machine", machine(), "tag", tag));
    }

    /** A state the adapter keeps, named by its id. */
    private record AdapterState(String id, EventResult save) implements SavedState {
    }

    @Override
    public SavedState saveState() {
        AdapterAnswer a = call("state_save", Map.of("machine", machine()));
        EventResult r = new EventResult(LifecycleEvent.SAVE_TO_FILE, a.elapsed().orElse(Duration.ZERO),
                "adapter op state_save", lines(a));
        return new AdapterState(a.text("state"), r);
    }

    private static List<Transcript.Line> lines(AdapterAnswer a) {
        Instant at = Instant.now();
        return a.transcript().stream().map(l -> new Transcript.Line(at, l.direction().equals("from_vmm")
                ? Transcript.Direction.FROM_VMM : Transcript.Direction.TO_VMM, l.text())).toList();
    }

    private static AdapterState own(SavedState state) {
        if (state instanceof AdapterState s) {
            return s;
        }
        throw new HarnessException(ExitCode.HARNESS_ERROR, "a state saved by another target: " + state);
    }

    @Override
    public EventResult restore(SavedState state) {
        return event(LifecycleEvent.RESTORE_FROM_FILE, "state_restore", Map.of("state", own(state).id(),
                "in_place", true, "machine", machine()));
    }

    @Override
    public Sibling startSibling(SavedState state) {
        String id = call("state_restore", Map.of("state", own(state).id(), "in_place", false)).text("machine");
        return new AdapterSibling(id);
    }

    @Override
    public Sibling freshMachine() {
        String id = call("fresh_machine", Map.of("machine", machine())).text("machine");
        AdapterSibling s = new AdapterSibling(id);
        PageLocator.locate(s.hostMemory(), FIRMWARE);
        return s;
    }

    /** A second machine the adapter runs beside the target. */
    private final class AdapterSibling implements Sibling {
        private final String id;

        AdapterSibling(String id) {
            this.id = id;
        }

        @Override
        public PhysicalMemory hostMemory() {
            return new AdapterMemory(adapter, () -> id);
        }

        @Override
        public EventResult reset() {
            return event(LifecycleEvent.SYSTEM_RESET, "reset", Map.of("machine", id));
        }

        @Override
        public void close() {
            if (adapter.isAlive()) {
                call("stop", Map.of("machine", id));
            }
        }
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
        if (failed) {
            evidence.text("adapter-stderr.txt", adapter.stderrTail());
            if (machine != null) {
                evidence.text("console.txt", endpoint.consoleTail(200));
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (session != null) {
                session.close(); // its endpoint stops the machine
            }
            adapter.close();
        }
    }
}
