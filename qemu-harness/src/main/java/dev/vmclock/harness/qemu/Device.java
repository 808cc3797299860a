package dev.vmclock.harness.qemu;

/**
 * The time devices the suite knows, each a family of clauses in spec-map.md ({@link #specPrefix()}).
 * A machine lists the ones it has; the guest's boot requirements and the agent's clock look-ups follow
 * from that list.
 */
public enum Device {
    /** UAPI.13 VMClock: one shared page described in ACPI ({@code -device vmclock}). */
    VMCLOCK("vmclock", "vmclock", "VMC"),
    /** virtio-rtc (virtio v1.4, device id 17) on PCI, or on virtio-mmio where the machine has no PCI. */
    VIRTIO_RTC("virtio-rtc-pci", "virtio-rtc-device", "VRTC");

    private final String pciName;
    private final String mmioName;
    private final String specPrefix;

    Device(String pciName, String mmioName, String specPrefix) {
        this.pciName = pciName;
        this.mmioName = mmioName;
        this.specPrefix = specPrefix;
    }

    /** The QEMU device name on {@code machineType} (microvm has no PCI bus: virtio sits on virtio-mmio). */
    public String qemuName(String machineType) {
        return machineType.startsWith("microvm") ? mmioName : pciName;
    }

    /** The name QEMU lists in {@code -device help} and users know the device by. */
    public String qemuName() {
        return pciName;
    }

    /** The prefix of this device's clause ids in spec-map.md: {@code VMC} or {@code VRTC}. */
    public String specPrefix() {
        return specPrefix;
    }
}
