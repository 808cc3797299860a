package dev.vmclock.harness.qemu;

import java.util.Locale;

/** How QEMU runs guest code. */
public enum Accelerator {
    KVM,
    TCG;

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Accelerator parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
