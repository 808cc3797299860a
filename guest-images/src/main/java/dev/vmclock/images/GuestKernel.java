package dev.vmclock.images;

import java.util.Locale;

/** Which form of the guest's kernel a VMM boots: both are the same kernel, built into every image. */
public enum GuestKernel {
    /** The compressed x86 boot image ({@code vmlinuz}): QEMU's classic {@code -kernel}, through the real-mode set-up. */
    BZIMAGE,
    /**
     * The uncompressed ELF ({@code vmlinux}) with a PVH entry point: what Firecracker and Cloud Hypervisor boot on x86;
     * QEMU boots it too, skipping the decompressor.
     */
    VMLINUX;

    /** The name on the command line and in {@code vmclock.guestKernel}: {@code bzimage}, {@code vmlinux}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code bzimage} or {@code vmlinux}, any case. */
    public static GuestKernel parse(String s) {
        for (GuestKernel k : values()) {
            if (k.cliName().equalsIgnoreCase(s.strip())) {
                return k;
            }
        }
        throw new IllegalArgumentException("the guest kernel must be bzimage or vmlinux, not " + s);
    }
}
