package dev.vmclock.conformance.vm;

import dev.vmclock.harness.memory.IoBus;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A device driven from the host by the suite's own driver, with no guest between (capability
 * {@link Capability#DEVICE_BUS}): the device-level virtio-rtc checks send raw requests and read raw responses on it.
 * QEMU offers one as a guest-less machine with the device, reached over its qtest socket.
 *
 * @param io       port I/O and guest-physical memory of the machine the device sits on
 * @param describe what the bus is, for the evidence ("QEMU 11.1.3 ... virtio-rtc-pci over qtest")
 * @param broken   why the device can no longer answer at all (a back-end process that exited), asked when a request
 *                 goes unanswered: that is the harness's ERROR, not the device's FAIL
 */
public record DeviceBus(IoBus io, String describe, Supplier<Optional<String>> broken) {

    public DeviceBus(IoBus io, String describe) {
        this(io, describe, Optional::empty);
    }
}
