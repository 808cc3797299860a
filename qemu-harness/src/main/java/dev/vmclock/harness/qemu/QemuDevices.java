package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Device;

/** How QEMU spells the time devices: its {@code -device} names. */
public final class QemuDevices {

    private QemuDevices() {
    }

    /** The QEMU device name on {@code machineType} (microvm has no PCI bus: virtio sits on virtio-mmio). */
    public static String name(Device device, String machineType) {
        return switch (device) {
            case VMCLOCK -> "vmclock";
            case VIRTIO_RTC -> machineType.startsWith("microvm") ? "virtio-rtc-device" : "virtio-rtc-pci";
        };
    }

    /** The name QEMU lists in {@code -device help} and users know the device by. */
    public static String name(Device device) {
        return name(device, "q35");
    }
}
