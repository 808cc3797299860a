package dev.vmclock.conformance.vm;

import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.Device;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A target that forwards every call to another: decorators override only what they change. */
public abstract class ForwardingVmTarget implements VmTarget {

    protected final VmTarget delegate;

    protected ForwardingVmTarget(VmTarget delegate) {
        this.delegate = delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public String machineType() {
        return delegate.machineType();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public List<Device> devices() {
        return delegate.devices();
    }

    @Override
    public String lacks(Capability capability) {
        return delegate.lacks(capability);
    }

    @Override
    public DeviceBus deviceBus(Device device) {
        return delegate.deviceBus(device);
    }

    @Override
    public void startEarly() {
        delegate.startEarly();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public GuestAgent guest() {
        return delegate.guest();
    }

    @Override
    public PhysicalMemory hostMemory() {
        return delegate.hostMemory();
    }

    @Override
    public WritableMemory hypervisorMemory() {
        return delegate.hypervisorMemory();
    }

    @Override
    public List<EventResult> undergo(Event event) {
        return delegate.undergo(event);
    }

    @Override
    public void prepareFor(Event event) {
        delegate.prepareFor(event);
    }

    @Override
    public EventResult saveSnapshot(String tag) {
        return delegate.saveSnapshot(tag);
    }

    @Override
    public EventResult loadSnapshot(String tag) {
        return delegate.loadSnapshot(tag);
    }

    @Override
    public SavedState saveState() {
        return delegate.saveState();
    }

    @Override
    public EventResult restore(SavedState state) {
        return delegate.restore(state);
    }

    @Override
    public Sibling startSibling(SavedState state) {
        return delegate.startSibling(state);
    }

    @Override
    public Sibling freshMachine() {
        return delegate.freshMachine();
    }

    @Override
    public Optional<String> updateClock() {
        return delegate.updateClock();
    }

    @Override
    public Evidence evidence() {
        return delegate.evidence();
    }

    @Override
    public void beginTest(String name) {
        delegate.beginTest(name);
    }

    @Override
    public void endTest(boolean failed) {
        delegate.endTest(failed);
    }
}
