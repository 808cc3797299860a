package dev.vmclock.conformance.faults;

import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.vm.ForwardingVmTarget;
import dev.vmclock.conformance.vm.SavedState;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.HypervisorWriter;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.VmclockPage;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Deliberate misbehaviour added to a correct implementation at run time by playing the hypervisor's
 * writer (the qtest socket), to prove that the suite notices: each must make exactly its clauses FAIL.
 * They wrap the target, so every view and check sees the broken device; production code has no hook.
 * The faults live by the area they break (SeqCountFaults, DisruptionFaults, GenerationFaults, ConstantFaults,
 * ClockDataFaults); this class holds what they share.
 */
abstract class RuntimeFault implements TargetDecorator {
    private final String name;
    private final UnaryOperator<VmTarget> wrap;

    RuntimeFault(String name, UnaryOperator<VmTarget> wrap) {
        this.name = name;
        this.wrap = wrap;
    }

    /** The fault's own name, unique among the run-time faults (RuntimeFaultTest). */
    String name() {
        return name;
    }

    @Override
    public VmTarget decorate(VmTarget target) {
        return wrap.apply(target);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The page of a target, read and written around the decorator (the device's own side). */
    abstract static class PageFault extends ForwardingVmTarget {
        private PageLocation location;

        PageFault(VmTarget delegate) {
            super(delegate);
        }

        synchronized PageLocation location() {
            if (location == null) {
                location = PageLocator.locate(delegate.hostMemory(), Duration.ofSeconds(10));
            }
            return location;
        }

        VmclockPage current() {
            return new HostPageReader(delegate.hostMemory(), location()).readRaw();
        }

        HypervisorWriter device() {
            return new HypervisorWriter(delegate.hypervisorMemory(), location());
        }
    }

    /** A fault applied after each event the target undergoes in place, knowing the page before it. */
    abstract static class AfterEvent extends PageFault {
        AfterEvent(VmTarget delegate) {
            super(delegate);
        }

        @Override
        public List<EventResult> undergo(Event event) {
            VmclockPage before = current();
            List<EventResult> steps = super.undergo(event);
            after(event, before);
            return steps;
        }

        // A broken device is broken however the suite drives the event: the primitives count too.
        @Override
        public EventResult saveSnapshot(String tag) {
            return around(Event.SNAPSHOT_SAVE, () -> super.saveSnapshot(tag));
        }

        @Override
        public EventResult loadSnapshot(String tag) {
            return around(Event.SNAPSHOT_LOAD, () -> super.loadSnapshot(tag));
        }

        @Override
        public EventResult restore(SavedState state) {
            return around(Event.FILE_RESTORE, () -> super.restore(state));
        }

        private EventResult around(Event event, java.util.function.Supplier<EventResult> primitive) {
            VmclockPage before = current();
            EventResult r = primitive.get();
            after(event, before);
            return r;
        }

        abstract void after(Event event, VmclockPage before);
    }
}
