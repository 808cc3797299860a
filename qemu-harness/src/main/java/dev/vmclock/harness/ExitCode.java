package dev.vmclock.harness;

/** Process exit codes of {@code ./vmclock-conformance}, as documented in the README. */
public enum ExitCode {
    /** Success; for {@code run}: the gate holds. */
    OK(0),
    /** {@code run}: at least one clause failed the selected gate. */
    GATE_FAILED(1),
    /** Unknown command or option, or a bad option value. */
    USAGE(2),
    /** No QEMU binary at the given or default path. */
    QEMU_NOT_FOUND(3),
    /** The QEMU binary has no {@code vmclock} device (QEMU older than 10.0, or built without it). */
    QEMU_WITHOUT_VMCLOCK(4),
    /** The accelerator asked for with {@code --accel} does not work here. */
    ACCELERATOR_UNAVAILABLE(5),
    /** The output, report or cache directory cannot be written. */
    OUTPUT_NOT_WRITABLE(6),
    /** The guest image cannot be built, or a supplied kernel/initramfs is unusable. */
    GUEST_IMAGE(7),
    /** The vsock back end ({@code vhost-device-vsock}, for {@code --agent-transport vsock}) cannot be fetched, is not
     * executable, or exited. */
    VSOCK_BACKEND(8),
    /** The virtio-rtc back end ({@code --vhost-user-rtc}) is missing or not executable, does not answer
     * {@code --version}, exits or makes no socket at start; or the QEMU has no {@code vhost-user-rtc-pci}. */
    RTC_BACKEND(9),
    /** QEMU or the harness broke while running (the evidence is kept and its path printed). */
    HARNESS_ERROR(10);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
