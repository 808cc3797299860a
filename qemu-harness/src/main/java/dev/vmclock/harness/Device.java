package dev.vmclock.harness;

/**
 * The time devices the suite knows, named as their specs name them, each a family of clauses in spec-map.md
 * ({@link #specPrefix()}). A target lists the ones its machine has; how a hypervisor spells them (QEMU's
 * {@code -device} names) is the hypervisor's business ({@code harness.qemu.QemuDevices}).
 */
public enum Device {
    /** UAPI.13 VMClock: one shared page described in ACPI. */
    VMCLOCK("VMClock", "VMC"),
    /** virtio-rtc (virtio v1.4, device id 17). */
    VIRTIO_RTC("virtio-rtc", "VRTC");

    private final String specName;
    private final String specPrefix;

    Device(String specName, String specPrefix) {
        this.specName = specName;
        this.specPrefix = specPrefix;
    }

    /** The device's name in its spec. */
    public String specName() {
        return specName;
    }

    /** The prefix of this device's clause ids in spec-map.md: {@code VMC} or {@code VRTC}. */
    public String specPrefix() {
        return specPrefix;
    }
}
