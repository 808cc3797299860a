package dev.vmclock.harness.qemu;

import java.util.Locale;

/** How QEMU runs guest code. */
public enum Accelerator {
    KVM,
    TCG,
    /**
     * No guest code at all: a machine driven only over its qtest socket whose run state is nevertheless "running".
     * For vhost-user devices, which QEMU starts only on a running VM (a paused {@code -S} machine never hands its
     * rings to the back end). QEMU 11.1 accepts {@code -accel qtest}; Debian's 10.0.2 refuses it.
     */
    QTEST;

    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A user's choice: kvm or tcg (QTEST runs no guest and is the harness's own, for device-only machines). */
    public static Accelerator parse(String s) {
        Accelerator a = valueOf(s.toUpperCase(Locale.ROOT));
        if (a == QTEST) {
            throw new IllegalArgumentException("not a user's accelerator: " + s);
        }
        return a;
    }
}
