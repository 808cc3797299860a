package dev.vmclock.conformance.vm;

import dev.vmclock.harness.memory.IoBus;

/**
 * A device driven from the host by the suite's own driver, with no guest between (capability
 * {@link Capability#DEVICE_BUS}): the device-level virtio-rtc checks send raw requests and read raw responses on it.
 * QEMU offers one as a guest-less machine with the device, reached over its qtest socket.
 *
 * @param io       port I/O and guest-physical memory of the machine the device sits on
 * @param describe what the bus is, for the evidence ("QEMU 11.1.3 ... virtio-rtc-pci over qtest")
 */
public record DeviceBus(IoBus io, String describe) {
}
