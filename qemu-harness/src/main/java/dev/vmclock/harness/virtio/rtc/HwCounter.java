package dev.vmclock.harness.virtio.rtc;

/** Hardware counter identifiers (virtio-rtc §Hardware Counters); 0xF0..0xFE are implementation-specific. */
public enum HwCounter {
    /** Arm Generic Timer CNTVCT_EL0. */
    ARM_VCT(0),
    /** x86 Time-Stamp Counter. */
    X86_TSC(1),
    INVALID(0xff);

    private final int code;

    HwCounter(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Neither defined by the spec nor in the implementation-specific range: the device must answer EOPNOTSUPP. */
    public static boolean isUnknownToAnyDevice(int code) {
        return code != ARM_VCT.code && code != X86_TSC.code && code != INVALID.code && (code < 0xf0 || code > 0xfe);
    }
}
