package dev.vmclock.conformance.vm;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A target with some capabilities hidden ({@code run --without}): the shape of a hypervisor that lacks them, on one
 * that has them. They leave {@link #capabilities()}, and the operations behind them throw: a check that uses one
 * without {@link VmTarget#require requiring} it is an ERROR, never a silent PASS.
 */
public final class WithoutCapabilities extends ForwardingVmTarget {

    private final Set<Capability> hidden;

    private WithoutCapabilities(VmTarget delegate, Set<Capability> hidden) {
        super(delegate);
        this.hidden = Set.copyOf(hidden);
    }

    /** {@code target} itself when nothing is hidden. */
    public static VmTarget of(VmTarget target, Set<Capability> hidden) {
        return hidden.isEmpty() ? target : new WithoutCapabilities(target, hidden);
    }

    public Set<Capability> hidden() {
        return hidden;
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> c = EnumSet.noneOf(Capability.class);
        c.addAll(delegate.capabilities());
        c.removeAll(hidden);
        return c;
    }

    @Override
    public String lacks(Capability capability) {
        return hidden.contains(capability) ? VmTarget.cannot(capability) : super.lacks(capability);
    }

    private void use(Capability capability, String operation) {
        if (hidden.contains(capability)) {
            throw new IllegalStateException(operation + " needs capability " + capability + ", which this run hides "
                    + "(--without): the check should have required it");
        }
    }

    @Override
    public DeviceBus deviceBus(Device device) {
        use(Capability.DEVICE_BUS, "the device bus");
        return delegate.deviceBus(device);
    }

    @Override
    public GuestAgent guest() {
        use(Capability.GUEST_AGENT, "the guest agent");
        return delegate.guest();
    }

    @Override
    public PhysicalMemory hostMemory() {
        use(Capability.HOST_MEMORY, "reading guest memory from the host");
        return delegate.hostMemory();
    }

    @Override
    public WritableMemory hypervisorMemory() {
        use(Capability.HYPERVISOR_WRITER, "writing guest memory as the hypervisor");
        return delegate.hypervisorMemory();
    }

    @Override
    public List<EventResult> undergo(Event event) {
        use(event.capability(), event.toString());
        return delegate.undergo(event);
    }

    @Override
    public EventResult saveSnapshot(String tag) {
        use(Capability.SNAPSHOT, "savevm");
        return delegate.saveSnapshot(tag);
    }

    @Override
    public EventResult loadSnapshot(String tag) {
        use(Capability.SNAPSHOT, "loadvm");
        return delegate.loadSnapshot(tag);
    }

    @Override
    public SavedState saveState() {
        use(Capability.FILE_RESTORE, "saving the machine to a file");
        return delegate.saveState();
    }

    @Override
    public EventResult restore(SavedState state) {
        use(Capability.FILE_RESTORE, "restoring the machine from a file");
        return delegate.restore(state);
    }

    @Override
    public Sibling startSibling(SavedState state) {
        use(Capability.FILE_RESTORE, "a clone restored beside the target");
        return hostMemoryHidden(delegate.startSibling(state));
    }

    @Override
    public Sibling freshMachine() {
        use(Capability.FRESH_MACHINE, "a fresh machine");
        return hostMemoryHidden(delegate.freshMachine());
    }

    /** A sibling is seen from the host only: without HOST_MEMORY, reading it is using the hidden capability. */
    private Sibling hostMemoryHidden(Sibling s) {
        if (!hidden.contains(Capability.HOST_MEMORY)) {
            return s;
        }
        return new Sibling() {
            @Override
            public PhysicalMemory hostMemory() {
                use(Capability.HOST_MEMORY, "reading a sibling's memory from the host");
                return s.hostMemory();
            }

            @Override
            public EventResult reset() {
                return s.reset();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
