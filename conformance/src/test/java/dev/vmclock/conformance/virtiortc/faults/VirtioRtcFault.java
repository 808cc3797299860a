package dev.vmclock.conformance.virtiortc.faults;

import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.conformance.vm.ForwardingVmTarget;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.memory.IoBus;

/**
 * A deliberately broken virtio-rtc device, made from the real one by standing between it and the suite's
 * driver on the target's device bus (rewriting a response in guest memory after the device wrote it,
 * misreporting a feature...). As a decorator it wraps the bus the target gives for virtio-rtc.
 */
public interface VirtioRtcFault extends TargetDecorator {

    /** The fault's name (what {@code -Dvmclock.vrtcFaults=TEXT} matches). */
    String id();

    IoBus wrap(IoBus device);

    @Override
    default VmTarget decorate(VmTarget target) {
        return new ForwardingVmTarget(target) {
            private DeviceBus wrapped;

            // Wrapped once per run: a wrapper keeps state across the checks (alarms set, READs counted), as a
            // device does.
            @Override
            public synchronized DeviceBus deviceBus(Device device) {
                if (device != Device.VIRTIO_RTC) {
                    return delegate.deviceBus(device);
                }
                if (wrapped == null) {
                    DeviceBus real = delegate.deviceBus(device);
                    wrapped = new DeviceBus(wrap(real.io()), real.describe() + "; fault: " + id());
                }
                return wrapped;
            }
        };
    }
}
