package dev.vmclock.harness;

import dev.vmclock.harness.qemu.QemuBinary;

/** The QEMU the project's own tests run against: {@code $VMCLOCK_QEMU} or qemu-system-x86_64 on PATH. */
public final class Qemu {
    private static QemuBinary binary;

    private Qemu() {
    }

    public static synchronized QemuBinary binary() {
        if (binary == null) {
            binary = QemuBinary.locate(null).requireVmclock();
        }
        return binary;
    }
}
