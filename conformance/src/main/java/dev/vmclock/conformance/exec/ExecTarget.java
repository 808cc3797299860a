package dev.vmclock.conformance.exec;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.Evidence;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.Sibling;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.adapter.AdapterAnswer;
import dev.vmclock.harness.adapter.AdapterException;
import dev.vmclock.harness.adapter.AdapterMemory;
import dev.vmclock.harness.adapter.AdapterProcess;
import dev.vmclock.harness.adapter.ExchangeLine;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.events.LifecycleEvent;
import dev.vmclock.harness.events.Transcript;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.page.PageLocator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The target behind an adapter: every event is one or two protocol operations, the adapter's VMM transcript is the
 * event's transcript, and a broken adapter is the check's ERROR with the exchange and its stderr in the evidence.
 *
 * <p>Not yet: the guest agent. The adapter boots the guest image and names the agent's endpoint, but the suite's
 * agent session is still bound to QEMU's machine, so GUEST_AGENT is not offered (its checks are NOT_APPLICABLE).
 */
final class ExecTarget implements VmTarget {

    private static final Duration EVENT = Duration.ofSeconds(120);
    private static final Duration FIRMWARE = Duration.ofSeconds(30);

    private final ExecResolved resolved;
    private final AdapterProcess adapter;
    private final Object lock = new Object();
    private String machine;
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
        c.remove(Capability.GUEST_AGENT); // see the class comment
        c.removeAll(resolved.options().without());
        return c;
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
        throw NotApplicable.because("the target cannot " + Capability.GUEST_AGENT.description() + " (capability "
                + Capability.GUEST_AGENT + "; exec targets do not reach the agent yet)");
    }

    /** The shared machine, booted on first need. */
    private String machine() {
        synchronized (lock) {
            if (machine == null) {
                Map<String, Object> boot = new LinkedHashMap<>();
                boot.put("kernel", resolved.guestImage().kernel().toString());
                if (resolved.guestImage().initramfs() != null) {
                    boot.put("initrd", resolved.guestImage().initramfs().toString());
                }
                boot.put("cmdline", dev.vmclock.harness.guest.GuestSession.KERNEL_CMDLINE);
                boot.put("memory_mib", 256);
                boot.put("cpus", 2);
                boot.put("devices", resolved.devices().stream().map(ExecTarget::protocolName).toList());
                boot.put("agent", "unix");
                machine = call("boot", boot).text("machine");
                PageLocator.locate(hostMemory(), FIRMWARE); // the firmware has run once its tables are there
            }
            return machine;
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
        }
    }

    @Override
    public void close() {
        adapter.close();
    }
}
